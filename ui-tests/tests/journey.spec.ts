import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The whole journey, with the mouse, on the embedded Vertex from the example
 * folder: Train on Vertex → SUCCEEDED with its log → deploy the registered
 * model from its details → the operation ends → Test a prediction (the exact
 * class of a known digits row) → the metrics show the requests just made.
 */

const PANEL_ID = 'jp-vertex-panel';
const SCRIPT = 'train_digits.py';
const MODEL_NAME = 'digits-journey';
const ENDPOINT_NAME = 'digits-journey-endpoint';
const SCREENSHOTS = path.resolve(__dirname, '..', 'test-results');

/**
 * Row 2 of the digits test split of train_digits.py (test_size 0.2, seed 0,
 * stratified): a 3, which the trained LogisticRegression predicts with
 * probability 1.000.
 */
const DIGIT_THREE = [
  0, 0, 6, 14, 16, 16, 2, 0, 0, 5, 16, 13, 11, 16, 0, 0, 0, 0, 7, 2, 15, 12, 0,
  0, 0, 0, 0, 7, 16, 13, 1, 0, 0, 0, 0, 0, 6, 15, 10, 0, 0, 0, 0, 0, 0, 15, 9,
  0, 0, 0, 3, 11, 8, 16, 6, 0, 0, 0, 7, 16, 16, 8, 0, 0
];

/**
 * A screenshot of the panel down to the bottom of `bottom` (or of `target`
 * alone, e.g. a dialog).
 */
async function screenshot(
  page: IJupyterLabPageFixture,
  name: string,
  target: Locator,
  panelClip = true
) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  const file = path.join(SCREENSHOTS, `${name}.png`);
  if (!panelClip) {
    await target.screenshot({ path: file });
    return;
  }
  const panel = await page.locator(`#${PANEL_ID}`).boundingBox();
  const body = await target.boundingBox();
  if (panel && body) {
    const bottom = Math.min(panel.y + panel.height, body.y + body.height + 12);
    await page.screenshot({
      path: file,
      clip: {
        x: panel.x,
        y: panel.y,
        width: panel.width,
        height: bottom - panel.y
      }
    });
  }
}

test.describe('The journey', () => {
  test('train, deploy, test a prediction, see the metrics', async ({
    page
  }) => {
    test.setTimeout(600_000);
    // Wide enough for a roomy panel, tall enough for the details.
    await page.setViewportSize({ width: 1400, height: 1400 });
    const errors: string[] = [];
    page.on('console', message => {
      // The browser logs the 400 of the bad-input test below itself.
      if (
        message.type() === 'error' &&
        !message.text().includes('status of 400 (Bad Request)')
      ) {
        errors.push(message.text());
      }
    });

    // 1. Train on Vertex from the file browser, registering the model.
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openHomeDirectory();
    await page
      .locator('.jp-DirListing-item')
      .filter({ hasText: SCRIPT })
      .click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Train on Vertex' }).click();
    const trainDialog = page.locator('.jp-Dialog');
    await expect(trainDialog).toBeVisible();
    await trainDialog.getByLabel('Register the trained model').check();
    await trainDialog.getByLabel('Model name').fill(MODEL_NAME);
    await trainDialog
      .getByRole('button', { name: 'Train', exact: true })
      .click();
    await expect(trainDialog).toHaveCount(0);

    // 2. The job succeeds; its log shows.
    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    // A wider sidebar, as users drag it for the details (and the docs).
    const handle = await page
      .locator('#jp-main-split-panel > .lm-SplitPanel-handle')
      .first()
      .boundingBox();
    expect(handle).not.toBeNull();
    await page.mouse.move(handle!.x + 1, handle!.y + 300);
    await page.mouse.down();
    await page.mouse.move(handle!.x + 140, handle!.y + 300, { steps: 5 });
    await page.mouse.up();
    const jobRow = panel
      .getByRole('region', { name: 'Jobs' })
      .locator('[data-job-kind="trainingPipeline"]')
      .first();
    await expect(jobRow.locator('.jp-Vertex-state')).toHaveText('Succeeded', {
      timeout: 300_000
    });
    await jobRow.click();
    const jobDetail = panel.locator('.jp-Vertex-JobDetail');
    await expect(jobDetail.getByRole('log')).toContainText('test accuracy');
    await expect(jobDetail.getByRole('log')).toContainText(
      'model saved to gs://'
    );
    await screenshot(page, 'journey-1-job', jobDetail);
    await jobDetail.getByRole('button', { name: 'Back to the list' }).click();

    // 3. The registered model, in its details.
    const models = panel.getByRole('region', { name: 'Models' });
    await models.getByRole('button', { name: 'Refresh models' }).click();
    const modelRow = models
      .locator('.jp-Vertex-ModelRow')
      .filter({ hasText: MODEL_NAME });
    await expect(modelRow).toContainText('Not deployed');
    await expect(modelRow).toContainText('sklearn');
    await modelRow.click();
    const modelDetail = panel.locator('.jp-Vertex-ModelDetail');
    await expect(
      modelDetail.getByRole('heading', { name: MODEL_NAME })
    ).toBeVisible();
    await expect(modelDetail).toContainText('sklearn-cpu');
    await expect(modelDetail).toContainText('gs://');
    await expect(
      modelDetail.getByRole('region', { name: 'Versions' })
    ).toContainText('v1');
    await expect(
      modelDetail.getByRole('region', { name: 'Deployed to' })
    ).toContainText('Not deployed.');

    // 4. Deploy it to a new endpoint.
    await modelDetail.getByRole('button', { name: 'Deploy…' }).click();
    const deploy = page.locator('.jp-Dialog');
    await expect(deploy).toContainText(`Deploy "${MODEL_NAME}"`);
    await expect(deploy.getByLabel('New endpoint')).toBeChecked();
    await deploy.getByLabel('Endpoint name').fill(ENDPOINT_NAME);
    // Accelerators follow the machine type: none on e2, the n1 GPUs on n1.
    const machine = deploy.getByLabel('Machine type');
    await machine.selectOption('e2-standard-4');
    await expect(deploy.getByLabel('Accelerator')).toBeDisabled();
    await machine.selectOption('n1-standard-2');
    await expect(
      deploy.getByLabel('Accelerator').locator('option')
    ).toContainText(['None', 'NVIDIA_TESLA_T4']);
    await screenshot(
      page,
      'deploy-dialog',
      deploy.locator('.jp-Dialog-content'),
      false
    );
    await deploy.getByRole('button', { name: 'Show Python code' }).click();
    const code = deploy.getByLabel('Python SDK code');
    await expect(code).toContainText('deploy(');
    await expect(code).toContainText('n1-standard-2');
    await deploy.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect(deploy).toHaveCount(0);

    // 5. Progress in the detail, then the notification says it is done.
    await expect(
      modelDetail.locator('.jp-Vertex-operation[data-operation-kind="deploy"]')
    ).toContainText(`Deploying "${MODEL_NAME}" to "${ENDPOINT_NAME}"`);
    // (The toast keeps the in-progress notification's class when updated.)
    await expect(
      page.locator('.Toastify__toast').filter({
        hasText: `"${MODEL_NAME}" is deployed to "${ENDPOINT_NAME}".`
      })
    ).toBeVisible({ timeout: 180_000 });
    await expect(modelDetail.locator('.jp-Vertex-operation')).toHaveCount(0);
    const deployedTo = modelDetail.getByRole('region', { name: 'Deployed to' });
    await expect(deployedTo).toContainText(ENDPOINT_NAME);
    await expect(
      modelDetail.getByRole('region', { name: 'Versions' })
    ).toContainText('1 deployment');
    await screenshot(page, 'model-detail', modelDetail);

    // 6. The endpoint, from the model's link.
    await deployedTo
      .getByRole('button', { name: `Open endpoint ${ENDPOINT_NAME}` })
      .click();
    const endpointDetail = panel.locator('.jp-Vertex-EndpointDetail');
    await expect(
      endpointDetail.getByRole('heading', { name: ENDPOINT_NAME })
    ).toBeVisible();
    const traffic = endpointDetail.getByRole('region', {
      name: 'Deployed models and traffic'
    });
    await expect(traffic.locator('input.jp-Vertex-traffic')).toHaveValue('100');

    // 7. Test: a known row of the digits data set is a 3.
    const editor = endpointDetail.getByLabel('Instances (JSON)');
    await editor.fill(JSON.stringify([DIGIT_THREE]));
    await endpointDetail.getByRole('button', { name: 'Predict' }).click();
    const predictions = endpointDetail.getByRole('status', {
      name: 'Predictions'
    });
    await expect(predictions.locator('.jp-Vertex-prediction')).toHaveText([
      '3'
    ]);
    await expect(predictions).toContainText(`1 prediction from ${MODEL_NAME}`);

    // Bad input: the model's own message, and a valid example on request.
    await editor.fill('[[1, 2]]');
    await endpointDetail.getByRole('button', { name: 'Predict' }).click();
    const refusal = endpointDetail
      .locator('.jp-Vertex-TestPrediction')
      .getByRole('alert');
    await expect(refusal).toContainText('expecting 64 features');
    await endpointDetail
      .getByRole('button', { name: 'Fill an example of 64 values' })
      .click();
    await expect(editor).toHaveValue(JSON.stringify([new Array(64).fill(0)]));
    await endpointDetail.getByRole('button', { name: 'Predict' }).click();
    await expect(predictions.locator('.jp-Vertex-prediction')).toHaveCount(1);

    // 8. The metrics show the requests just made: 200s and the 400.
    const metrics = endpointDetail.getByRole('region', {
      name: 'Endpoint metrics'
    });
    const codes = metrics.locator('figure[data-chart-id="responseCodes"]');
    await expect(async () => {
      await metrics.getByRole('button', { name: 'Refresh metrics' }).click();
      await expect(codes.locator('tr[data-series="200"]')).toHaveCount(1, {
        timeout: 2_000
      });
      await expect(codes.locator('tr[data-series="400"]')).toHaveCount(1, {
        timeout: 2_000
      });
      // A measured rate, not an empty series.
      await expect(
        codes.locator('tr[data-series="200"] td').first()
      ).not.toHaveText('–', { timeout: 2_000 });
    }).toPass({ timeout: 150_000, intervals: [3_000] });

    await screenshot(page, 'endpoint-detail-light', endpointDetail);
    await page.theme.setDarkTheme();
    await expect(predictions).toBeVisible();
    await screenshot(page, 'endpoint-detail-dark', endpointDetail);
    await page.theme.setLightTheme();

    expect(errors).toEqual([]);
  });
});
