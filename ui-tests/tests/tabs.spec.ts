import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import {
  deployModel,
  DOC_SCREENSHOTS,
  notebookJSON,
  openEndpoint,
  openInstance,
  openJob,
  openModel,
  PANEL_ID,
  runRegisterCells,
  sidebarRow,
  tabId
} from './helpers';

/**
 * Details as main-area tabs (issue 12, point 1): a job, a model, an endpoint
 * and a Workbench instance open from the sidebar as tabs, come back after a
 * reload, and close when their resource is deleted. The endpoint dashboard's
 * charts get the tab's width. Writes docs/screenshots/tab-<kind>-<theme>.png.
 * Against the real server extension and its embedded Vertex (`jlpm start`).
 */

const JOB = 'tabs-job';
const SCRIPT = 'tabs_train.py';
const NOTEBOOK = 'tabs-model.ipynb';
const MODEL = 'tabs-digits';
const ENDPOINT = 'tabs-digits-endpoint';
const INSTANCE = 'tabs-box';

const CELLS = [
  'import jupyter_vertex.emulator\n\njupyter_vertex.emulator.init()',
  [
    'import os',
    'import tempfile',
    '',
    'import joblib',
    'from google.cloud import aiplatform',
    'from sklearn.datasets import load_digits',
    'from sklearn.linear_model import LogisticRegression',
    '',
    'X, y = load_digits(return_X_y=True)',
    'classifier = LogisticRegression(max_iter=2000).fit(X, y)',
    'artifact_dir = tempfile.mkdtemp(prefix="digits-model-")',
    'joblib.dump(classifier, os.path.join(artifact_dir, "model.joblib"))',
    'model = aiplatform.Model.upload(',
    `    display_name="${MODEL}",`,
    '    artifact_uri=artifact_dir,',
    '    serving_container_image_uri="us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest",',
    ')',
    'print("model", model.name)'
  ].join('\n')
];

/**
 * Bring a tab forward as a user would: its tab in the main area's tab bar.
 */
async function showTab(page: IJupyterLabPageFixture, id: string) {
  await page.locator(`.lm-DockPanel-tabBar [data-id="${id}"]`).click();
  await expect(page.locator(`#${id}`)).toBeVisible();
}

async function docScreenshot(page: IJupyterLabPageFixture, name: string) {
  fs.mkdirSync(DOC_SCREENSHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(DOC_SCREENSHOTS, `${name}.png`) });
}

test.describe('Details as main-area tabs', () => {
  test.describe.configure({ mode: 'serial' });
  test.use({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });

  let jobId = '';
  let modelId = '';
  let endpointId = '';

  test('each kind opens as a tab from the sidebar and comes back after a reload', async ({
    page
  }) => {
    test.setTimeout(480_000);
    const request = page.request;

    // A Workbench instance first: it takes longest to become ACTIVE.
    const createdInstance = await request.post('jupyter-vertex/api/instances', {
      data: { instanceId: INSTANCE, machineType: 'e2-standard-4' }
    });
    expect(createdInstance.status()).toBe(202);

    // A job whose script prints, then registers nothing.
    await page.contents.uploadContent(
      [
        'import time',
        'for epoch in range(3):',
        '    print(f"epoch {epoch}: loss {1 / (epoch + 1):.3f}", flush=True)',
        '    time.sleep(0.2)',
        'print("saved to gs://local-project-vertex/tabs-job/model.joblib")',
        ''
      ].join('\n'),
      'text',
      SCRIPT
    );
    const createdJob = await request.post('jupyter-vertex/api/jobs', {
      data: { path: SCRIPT, displayName: JOB, machineType: 'n1-standard-4' }
    });
    expect(createdJob.ok()).toBe(true);
    jobId = (await createdJob.json()).id;

    // A model registered by a notebook cell, deployed, and a few requests
    // for the charts.
    expect(
      await page.contents.uploadContent(notebookJSON(CELLS), 'text', NOTEBOOK)
    ).toBe(true);
    await page.filebrowser.openHomeDirectory();
    modelId = (await runRegisterCells(page, NOTEBOOK, /model (\d+)/))[1];
    await page.notebook.close(true);
    endpointId = await deployModel(request, modelId, ENDPOINT);
    for (let i = 0; i < 3; i++) {
      const answer = await request.post(
        `jupyter-vertex/api/endpoints/${endpointId}/predict`,
        { data: { instances: [Array.from({ length: 64 }, () => i)] } }
      );
      expect(answer.status()).toBe(200);
    }

    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    // One refresh button in the sidebar: the header's.
    await expect(panel.getByRole('button', { name: /^Refresh/ })).toHaveCount(
      1
    );
    await panel.getByRole('button', { name: 'Refresh all' }).click();

    // The job: its log at full width, searchable.
    await expect(
      sidebarRow(page, 'job', JOB).locator('.jp-Vertex-state')
    ).toHaveText('Succeeded', { timeout: 180_000 });
    const job = await openJob(page, JOB);
    await expect(page.locator(`#${PANEL_ID} .jp-Vertex-JobDetail`)).toHaveCount(
      0
    );
    const log = job.getByRole('log');
    await expect(log).toContainText('epoch 2: loss 0.333');
    await expect(job).toContainText(
      'saved to gs://local-project-vertex/tabs-job/model.joblib'
    );
    const search = job.getByRole('searchbox', { name: 'Search the log' });
    await search.fill('loss 0.5');
    await expect(log.locator('.jp-Vertex-logLine')).toHaveCount(1);
    await expect(log.locator('mark')).toHaveText('loss 0.5');
    await search.fill('');
    const jobTab = page.locator(
      `.lm-DockPanel-tabBar [data-id="${tabId('job', jobId, 'customJob')}"]`
    );
    await expect(jobTab).toHaveText(JOB);
    // The log spans the tab (the tab is ~1100 px wide next to the sidebar).
    expect((await log.boundingBox())!.width).toBeGreaterThan(900);

    // Opening the same job again brings its tab forward, no second tab.
    await openJob(page, JOB);
    await expect(
      page.locator(`[id="${tabId('job', jobId, 'customJob')}"]`)
    ).toHaveCount(1);

    // The model and, from it, the endpoint dashboard.
    const model = await openModel(page, MODEL);
    await expect(model).toContainText('sklearn');
    const endpoint = await openEndpoint(page, ENDPOINT);
    await expect(
      endpoint.getByRole('region', { name: 'Deployed models and traffic' })
    ).toBeVisible();
    const save = endpoint.getByRole('button', { name: 'Save traffic split' });
    await expect(save).toBeDisabled();
    // Disabled looks disabled: faded.
    expect(
      Number(await save.evaluate(node => getComputedStyle(node).opacity))
    ).toBeLessThan(0.6);
    const charts = endpoint.locator('.jp-Vertex-MetricChart');
    await expect(charts).toHaveCount(7, { timeout: 60_000 });
    for (const box of await charts.evaluateAll(nodes =>
      nodes.map(node => node.getBoundingClientRect().width)
    )) {
      expect(box).toBeGreaterThan(600);
    }

    // The instance, once ACTIVE.
    await expect(
      sidebarRow(page, 'instance', INSTANCE).locator('.jp-Vertex-state')
    ).toHaveText('Active', { timeout: 180_000 });
    const instance = await openInstance(page, INSTANCE);
    await expect(instance).toContainText('e2-standard-4');
    await expect(
      instance.getByRole('button', { name: 'Open JupyterLab' })
    ).toBeVisible();

    // Screenshots of each tab, light then dark.
    const ids: Record<string, string> = {
      job: tabId('job', jobId, 'customJob'),
      model: tabId('model', modelId),
      endpoint: tabId('endpoint', endpointId),
      instance: tabId('instance', INSTANCE)
    };
    for (const theme of ['light', 'dark']) {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      }
      for (const [kind, id] of Object.entries(ids)) {
        await showTab(page, id);
        if (kind === 'endpoint') {
          await expect(page.locator(`#${id} canvas`)).toHaveCount(7);
        }
        await docScreenshot(page, `tab-${kind}-${theme}`);
      }
    }
    await page.theme.setLightTheme();

    // Reload: the four tabs come back, restored by the layout restorer once
    // it has saved the layout (debounced, after the last change).
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/lab/api/workspaces')
    );
    await showTab(page, ids.model);
    await saved;
    // (Not Galata's wait for a Launcher: the restored layout has none.)
    // (Galata's page.reload takes this option; its fixture type hides it.)
    await (
      page as unknown as {
        reload(options: { waitForIsReady: boolean }): Promise<unknown>;
      }
    ).reload({ waitForIsReady: false });
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    for (const id of Object.values(ids)) {
      await expect(page.locator(`[id="${id}"]`)).toHaveCount(1);
    }
    await showTab(page, ids.job);
    await expect(page.locator(`#${ids.job}`).getByRole('log')).toContainText(
      'epoch 2'
    );
    await showTab(page, ids.endpoint);
    await expect(
      page.locator(`#${ids.endpoint} .jp-Vertex-MetricChart`)
    ).toHaveCount(7, { timeout: 60_000 });
  });

  test('a tab closes when its resource is deleted, from the panel or from the tab', async ({
    page
  }) => {
    test.setTimeout(300_000);
    const jobTab = page.locator(`[id="${tabId('job', jobId, 'customJob')}"]`);
    const instanceTab = page.locator(`[id="${tabId('instance', INSTANCE)}"]`);
    // Restored from the previous test's layout, or opened again.
    if ((await jobTab.count()) === 0) {
      await openJob(page, JOB);
    }
    if ((await instanceTab.count()) === 0) {
      await openInstance(page, INSTANCE);
    }

    // The job, deleted from its row in the sidebar.
    await page.sidebar.openTab(PANEL_ID);
    await sidebarRow(page, 'job', JOB)
      .getByRole('button', { name: `Delete job ${JOB}` })
      .click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(jobTab).toHaveCount(0);

    // The instance, deleted from its own tab: closed once it is gone.
    await page
      .locator(
        `.lm-DockPanel-tabBar [data-id="${tabId('instance', INSTANCE)}"]`
      )
      .click();
    await instanceTab.getByRole('button', { name: 'Delete instance' }).click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(instanceTab).toHaveCount(0, { timeout: 120_000 });
  });
});
