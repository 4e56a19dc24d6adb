import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import {
  deployModel,
  notebookJSON,
  PANEL_ID,
  runRegisterCells,
  SCREENSHOTS,
  trainSlowJob
} from './helpers';

/**
 * Workbench instances from the panel, on the embedded Vertex: create one,
 * wait for ACTIVE, open its JupyterLab, stop it from "Running now", delete
 * it. Against the real server extension (`jlpm start`), whose embedded
 * Vertex runs each instance as a real Jupyter server.
 */

const INSTANCE = 'ui-box';

async function screenshot(
  page: IJupyterLabPageFixture,
  name: string,
  selector: string
) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // The panel scrolls: its lower sections may be below the fold.
  await page.locator(selector).scrollIntoViewIfNeeded();
  const panel = await page.locator(`#${PANEL_ID}`).boundingBox();
  const box = await page.locator(selector).boundingBox();
  if (panel && box) {
    const top = Math.max(panel.y, box.y - 4);
    const bottom = Math.min(panel.y + panel.height, box.y + box.height + 8);
    await page.screenshot({
      path: path.join(SCREENSHOTS, `${name}.png`),
      clip: { x: panel.x, y: top, width: panel.width, height: bottom - top }
    });
  }
}

test.describe('Workbench instances from the panel', () => {
  test('create an instance, open its JupyterLab, stop it from "Running now", delete it', async ({
    page,
    playwright
  }) => {
    test.setTimeout(300_000);
    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    const instances = panel.getByRole('region', { name: 'Instances' });
    const running = panel.getByRole('region', { name: 'Running now' });
    await expect(instances).toBeVisible();
    await expect(running.getByText('Nothing is running.')).toBeVisible();
    await expect(running.getByTestId('vertex-running-count')).toHaveText('0');

    // The form: the id is checked as it is typed.
    await instances.getByRole('button', { name: 'Create instance' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toBeVisible();
    const id = dialog.getByLabel('Instance id');
    await id.fill('Bad_Id');
    await expect(id).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByRole('alert')).toContainText(
      'Lowercase letters, digits and hyphens'
    );
    await id.fill(INSTANCE);
    await expect(id).not.toHaveAttribute('aria-invalid', 'true');

    // GPUs only where the machine type takes them (the server's table).
    const machine = dialog.getByLabel('Machine type');
    await expect(machine).toHaveValue('e2-standard-4');
    await expect(dialog.getByTestId('vertex-no-gpu')).toHaveText(
      'e2-standard-4 takes no GPU.'
    );
    await machine.selectOption('a2-highgpu-2g');
    const gpu = dialog.getByLabel('GPU', { exact: true });
    await expect(gpu.locator('option')).toHaveText(['NVIDIA_TESLA_A100']);
    await expect(dialog.getByLabel('GPU count').locator('option')).toHaveText([
      '2'
    ]);
    await machine.selectOption('n1-standard-4');
    await expect(gpu.locator('option')).toHaveText([
      'None',
      'NVIDIA_TESLA_T4',
      'NVIDIA_TESLA_V100',
      'NVIDIA_TESLA_P100',
      'NVIDIA_TESLA_P4'
    ]);
    await machine.selectOption('e2-standard-4');

    // Disk sizes are checked against Vertex's ranges.
    const boot = dialog.getByLabel('Boot disk size (GB)');
    await boot.fill('100');
    await expect(boot).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toContainText('A size in GB from 150 to 64000.');
    await boot.fill('150');
    await dialog.getByLabel('Labels').fill('team=ml');
    await page.mouse.move(0, 0);
    await dialog
      .locator('.jp-Vertex-instanceForm')
      .evaluate(node => node.scrollTo(0, 0));
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await dialog
      .locator('.jp-Dialog-content')
      .screenshot({ path: path.join(SCREENSHOTS, 'instance-create.png') });
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(dialog).toHaveCount(0);
    await expect(
      page
        .locator('.jp-Notification-Toast-in-progress')
        .filter({ hasText: `Creating instance "${INSTANCE}"` })
    ).toBeVisible();

    // Provisioning, then ACTIVE once its Jupyter server answers.
    const row = instances.locator(
      `.jp-Vertex-InstanceRow[data-instance-id="${INSTANCE}"]`
    );
    await expect(row).toBeVisible();
    await expect(row).toContainText('e2-standard-4');
    await expect(row).toContainText('No GPU');
    await expect(row.locator('.jp-Vertex-state')).toHaveText('Active', {
      timeout: 180_000
    });
    // The in-progress toast, updated (it keeps its first class; react-toastify
    // marks the new type).
    await expect(
      page
        .locator('.Toastify__toast--success')
        .filter({ hasText: `Instance "${INSTANCE}" is ready.` })
    ).toBeVisible();

    // "Running now" counts it, with its one-click Stop.
    await panel.getByRole('button', { name: 'Refresh all' }).click();
    const runningRow = running.locator(
      `[data-running-kind="instance"][data-running-id="${INSTANCE}"]`
    );
    await expect(runningRow).toBeVisible();
    await expect(running.getByTestId('vertex-running-count')).toHaveText('1');

    await page.mouse.move(0, 0);
    await screenshot(page, 'instances-light', `#jp-Vertex-instances`);
    await screenshot(page, 'running-now', `#jp-Vertex-running`);
    await page.theme.setDarkTheme();
    await expect(row).toBeVisible();
    await page.mouse.move(0, 0);
    await screenshot(page, 'instances-dark', `#jp-Vertex-instances`);
    await screenshot(page, 'running-now-dark', `#jp-Vertex-running`);
    await page.theme.setLightTheme();

    // "Open JupyterLab": a new tab on the instance's own server.
    const popupPromise = page.waitForEvent('popup');
    await row
      .getByRole('button', { name: `Open JupyterLab of ${INSTANCE}` })
      .click();
    const popup = await popupPromise;
    await popup.waitForLoadState('domcontentloaded');
    const opened = new URL(popup.url());
    const lab = new URL(page.url());
    expect(opened.origin).not.toBe(lab.origin);
    // No way back to the panel's window from there.
    expect(await popup.evaluate(() => window.opener)).toBeNull();
    // Its Jupyter server answers with its token, and only with it.
    const token =
      opened.searchParams.get('token') ??
      (await popup.evaluate(() => {
        const config = document.getElementById('jupyter-config-data');
        return config ? JSON.parse(config.textContent ?? '{}').token : null;
      }));
    expect(token).toBeTruthy();
    // Fresh request contexts: the page's carries the popup's login cookie,
    // and a token-authenticated answer sets one too.
    const anonymous = await playwright.request.newContext();
    const refused = await anonymous.get(`${opened.origin}/api/status`);
    expect(refused.status()).toBe(403);
    await anonymous.dispose();
    const client = await playwright.request.newContext();
    const status = await client.get(`${opened.origin}/api/status`, {
      headers: { Authorization: `token ${token}` }
    });
    expect(status.status()).toBe(200);
    expect(await status.json()).toHaveProperty('started');
    await client.dispose();
    await popup.close();

    // Stop from "Running now": STOPPED, and nothing runs any more.
    await runningRow
      .getByRole('button', { name: `Stop instance ${INSTANCE}` })
      .click();
    // Stop asks first, as Delete does.
    const confirmStop = page.locator('.jp-Dialog');
    await expect(confirmStop).toContainText('Stop instance?');
    await confirmStop.getByRole('button', { name: 'Stop' }).click();
    await expect(row.locator('.jp-Vertex-state')).toHaveText('Stopped', {
      timeout: 120_000
    });
    await expect(running.getByText('Nothing is running.')).toBeVisible({
      timeout: 60_000
    });
    await expect(running.getByTestId('vertex-running-count')).toHaveText('0');
    await expect(
      row.getByRole('button', { name: `Start ${INSTANCE}` })
    ).toBeVisible();

    // Delete, after a confirmation.
    await row.getByRole('button', { name: `Delete ${INSTANCE}` }).click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText(`Delete the instance "${INSTANCE}"?`);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(row).toHaveCount(0, { timeout: 120_000 });
    await expect(
      instances.getByText('No Workbench instances yet.', { exact: false })
    ).toBeVisible();

    // The same form from the command palette's command.
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('jupyter-vertex:create-instance');
    });
    const again = page.locator('.jp-Dialog');
    await expect(again.locator('.jp-Dialog-header')).toHaveText(
      'Create instance'
    );
    await expect(again.getByLabel('Instance id')).toBeFocused();
    await again.getByRole('button', { name: 'Cancel' }).click();
    await expect(again).toHaveCount(0);
  });

  test('a running training job shows in "Running now" and is cancelled from there', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(240_000);
    await trainSlowJob(page, `${tmpPath}/forever.py`, 1200, 'forgotten-job');
    const panel = page.locator(`#${PANEL_ID}`);
    const running = panel.getByRole('region', { name: 'Running now' });

    // The job, while it runs, is what keeps costing.
    const row = running
      .locator('[data-running-kind="job"]')
      .filter({ hasText: 'forgotten-job' });
    await expect(row).toBeVisible({ timeout: 120_000 });
    await expect(running.getByTestId('vertex-running-count')).not.toHaveText(
      '0'
    );
    await row.getByRole('button', { name: 'Cancel job forgotten-job' }).click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText('Cancel "forgotten-job"?');
    await confirm.getByRole('button', { name: 'Cancel job' }).click();

    // Cancelled in the Jobs list, and gone from "Running now".
    const jobRow = panel
      .getByRole('region', { name: 'Jobs', exact: true })
      .locator('.jp-Vertex-JobRow')
      .filter({ hasText: 'forgotten-job' });
    await expect(jobRow.locator('.jp-Vertex-state')).toHaveText('Cancelled', {
      timeout: 120_000
    });
    await expect(row).toHaveCount(0, { timeout: 60_000 });
  });

  test('an endpoint with a deployed model shows in "Running now" and is undeployed from there', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(300_000);
    // A small digits model, registered with the SDK from a notebook cell.
    const notebook = `${tmpPath}/register.ipynb`;
    await page.contents.uploadContent(
      notebookJSON(registerCells('running-now-model')),
      'text',
      notebook
    );
    const match = await runRegisterCells(page, notebook, /model (\d+)/);
    const endpointId = await deployModel(
      page.request,
      match[1],
      'running-now-endpoint'
    );
    await page.notebook.close(true);

    await page.sidebar.openTab(PANEL_ID);
    const running = page
      .locator(`#${PANEL_ID}`)
      .getByRole('region', { name: 'Running now' });
    await page
      .locator(`#${PANEL_ID}`)
      .getByRole('button', { name: 'Refresh all' })
      .click();
    const row = running.locator(
      `[data-running-kind="endpoint"][data-running-id="${endpointId}"]`
    );
    await expect(row).toContainText('running-now-endpoint');
    await expect(row).toContainText('1 deployed model');

    await row
      .getByRole('button', {
        name: 'Undeploy all models from endpoint running-now-endpoint'
      })
      .click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText(
      'Undeploy the model from "running-now-endpoint"?'
    );
    await confirm.getByRole('button', { name: 'Undeploy' }).click();
    await expect(row).toHaveCount(0, { timeout: 120_000 });
    // The endpoint stays, without models.
    const endpoint = await (
      await page.request.get(`jupyter-vertex/api/endpoints/${endpointId}`)
    ).json();
    expect(endpoint.deployedModels ?? []).toEqual([]);
  });
});

/**
 * The cells of a notebook whose second cell trains and registers a digits
 * model.
 */
function registerCells(displayName: string): string[] {
  return [
    'import jupyter_vertex.emulator\n\njupyter_vertex.emulator.init()',
    [
      'import os, tempfile',
      'import joblib',
      'from google.cloud import aiplatform',
      'from sklearn.datasets import load_digits',
      'from sklearn.linear_model import LogisticRegression',
      'X, y = load_digits(return_X_y=True)',
      'folder = tempfile.mkdtemp(prefix="digits-")',
      'joblib.dump(LogisticRegression(max_iter=200).fit(X, y), os.path.join(folder, "model.joblib"))',
      'model = aiplatform.Model.upload(',
      `    display_name="${displayName}",`,
      '    artifact_uri=folder,',
      '    serving_container_image_uri="us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest",',
      ')',
      'print("model", model.name)'
    ].join('\n')
  ];
}
