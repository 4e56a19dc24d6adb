import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import {
  openJob,
  PANEL_ID,
  SCREENSHOTS,
  trainFromFileBrowser,
  trainSlowJob
} from './helpers';

/**
 * Training from the UI: file browser → Train on Vertex → the job in the Jobs
 * list → its details and log → the registered model in Models. Against the
 * real server extension and its embedded Vertex (`jlpm start`).
 */

const SCRIPT = 'train_digits.py';
const MODEL_NAME = 'digits-from-ui';

async function screenshot(
  page: IJupyterLabPageFixture,
  name: string,
  bottomSelector: string
) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const panel = await page.locator(`#${PANEL_ID}`).boundingBox();
  const body = await page.locator(bottomSelector).last().boundingBox();
  if (panel && body) {
    const bottom = Math.min(panel.y + panel.height, body.y + body.height + 16);
    await page.screenshot({
      path: path.join(SCREENSHOTS, `${name}.png`),
      clip: {
        x: panel.x,
        y: panel.y,
        width: panel.width,
        height: bottom - panel.y
      }
    });
  }
}

test.describe('Training from the UI', () => {
  test('train a script, follow it to SUCCEEDED, read its log, find its model', async ({
    page
  }) => {
    test.setTimeout(360_000);

    // The command is in the palette and the file browser's context menu.
    await trainFromFileBrowser(page, SCRIPT);

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`Train ${SCRIPT} on Vertex AI.`);
    await expect(dialog.getByLabel('Display name')).toHaveValue('train-digits');
    await dialog.getByLabel('Register the trained model').check();
    await dialog.getByLabel('Model name').fill(MODEL_NAME);
    await dialog.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(dialog).toHaveCount(0);

    // A notification, then the job in the panel's Jobs list.
    await expect(
      page.locator('.jp-Notification-Toast-success').first()
    ).toContainText('Training "train-digits" started');

    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    const jobs = panel.getByRole('region', { name: 'Jobs', exact: true });
    const row = jobs.locator('[data-job-kind="trainingPipeline"]').filter({
      hasText: 'train-digits'
    });
    await expect(row).toBeVisible();
    await expect(row).toContainText(SCRIPT);
    await expect(row.locator('.jp-Vertex-state')).toHaveText('Succeeded', {
      timeout: 300_000
    });
    await expect(row.locator('.jp-Vertex-elapsed')).toHaveText(
      /^\d+(m \d+)?s$/
    );

    // The registered model shows in Models.
    const models = panel.getByRole('region', { name: 'Models' });
    await panel.getByRole('button', { name: 'Refresh all' }).click();
    await expect(
      models.getByRole('listitem').filter({ hasText: MODEL_NAME })
    ).toBeVisible();

    await page.mouse.move(0, 0);
    await screenshot(page, 'jobs-light', `#${PANEL_ID} .jp-Vertex-Section`);
    await page.theme.setDarkTheme();
    await expect(row).toBeVisible();
    await page.mouse.move(0, 0);
    await screenshot(page, 'jobs-dark', `#${PANEL_ID} .jp-Vertex-Section`);
    await page.theme.setLightTheme();

    // Its details, in its main-area tab.
    const detail = await openJob(page, 'train-digits');
    await expect(detail).toContainText('n1-standard-4');
    await expect(detail).toContainText(SCRIPT);
    await expect(detail.locator('.jp-Vertex-uploadedModel')).toHaveText(
      /^\d+@1$/
    );
    const log = detail.getByRole('log');
    await expect(log).toContainText('test accuracy');
    await expect(log).toContainText('model saved to gs://');

    // The SDK code, in a dialog.
    await detail
      .getByRole('button', { name: 'Show SDK code', exact: true })
      .click();
    const codeDialog = page.locator('.jp-Dialog');
    await expect(codeDialog).toContainText('aiplatform');
    await codeDialog.getByRole('button', { name: 'Close' }).click();
    await expect(codeDialog).toHaveCount(0);

    await page.mouse.move(0, 0);
    await detail.screenshot({ path: path.join(SCREENSHOTS, 'job-detail.png') });
    await page.theme.setDarkTheme();
    await expect(log).toBeVisible();
    await detail.screenshot({
      path: path.join(SCREENSHOTS, 'job-detail-dark.png')
    });
    await page.theme.setLightTheme();
  });

  test("the Train dialog shows the server's refusal inline", async ({
    page
  }) => {
    await page.route(
      url => url.pathname.endsWith('/jupyter-vertex/api/jobs'),
      route =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 400,
              contentType: 'application/json',
              body: JSON.stringify({
                message:
                  'Accelerator "NVIDIA_TESLA_A100" is not supported for machine type "n1-standard-4".',
                reason: 'INVALID_ARGUMENT',
                hint: 'Pick another machine type.'
              })
            })
          : route.continue()
    );
    // From the Python editor's toolbar.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('docmanager:open', {
        path: 'train_digits.py'
      });
    });
    const button = page
      .locator(
        '.jp-MainAreaWidget .jp-Toolbar-item[data-jp-item-name="vertex-train"]'
      )
      .first();
    await expect(button).toBeVisible();
    await button.click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Train train_digits.py on Vertex AI.');
    await dialog.getByLabel('Display name').fill('refused');
    await dialog.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText(
      'is not supported for machine type'
    );
    await expect(dialog.getByRole('alert')).toContainText(
      'Pick another machine type.'
    );
    // The values the user typed are kept.
    await expect(dialog.getByLabel('Display name')).toHaveValue('refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  });

  test('a running job shows new log lines live and can be cancelled', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(240_000);
    await trainSlowJob(page, `${tmpPath}/slow_train.py`, 600, 'slow-train');
    const panel = page.locator(`#${PANEL_ID}`);

    const row = panel
      .getByRole('region', { name: 'Jobs', exact: true })
      .locator('.jp-Vertex-JobRow')
      .filter({ hasText: 'slow-train' });
    await expect(row.locator('.jp-Vertex-state')).toHaveText('Running', {
      timeout: 120_000
    });
    const detail = await openJob(page, 'slow-train');
    const log = detail.getByRole('log');
    // Lines keep arriving while it runs (the cursor brings the newer ones).
    await expect(log).toContainText('step 2', { timeout: 60_000 });
    await expect(log).toContainText('step 8', { timeout: 60_000 });
    await expect(detail.locator('.jp-Vertex-following')).toBeVisible();

    // Cancel, after a confirmation.
    await detail.getByRole('button', { name: 'Cancel job' }).click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText('Cancel "slow-train"?');
    await confirm.getByRole('button', { name: 'Cancel job' }).click();
    await expect(detail.locator('.jp-Vertex-state')).toHaveText('Cancelled', {
      timeout: 120_000
    });
    await expect(
      detail.getByRole('button', { name: 'Cancel job' })
    ).toHaveCount(0);
    await expect(detail.locator('.jp-Vertex-following')).toHaveCount(0);
  });
});
