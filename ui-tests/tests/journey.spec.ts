import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import {
  openJob,
  openModel,
  PANEL_ID,
  SCREENSHOTS,
  trainFromFileBrowser
} from './helpers';

/**
 * The whole journey, with the mouse, on the embedded Vertex from the example
 * folder: Train on Vertex → SUCCEEDED with its log → deploy the registered
 * model from its details → the operation ends → Test a prediction (the exact
 * class of a known digits row) → the metrics show the requests just made.
 */

const SCRIPT = 'train_digits.py';
const MODEL_NAME = 'digits-journey';
const ENDPOINT_NAME = 'digits-journey-endpoint';

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
 * A screenshot of `target` (a detail view in its tab, a dialog).
 */
async function screenshot(
  page: IJupyterLabPageFixture,
  name: string,
  target: Locator
) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
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
      // The browser logs the refusals this test provokes on purpose (400
      // bad instances, 409 delete/undeploy) itself.
      if (
        message.type() === 'error' &&
        !/status of (400 \(Bad Request\)|409 \(Conflict\))/.test(message.text())
      ) {
        errors.push(message.text());
      }
    });

    // 1. Train on Vertex from the file browser, registering the model.
    await trainFromFileBrowser(page, SCRIPT);
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
      .getByRole('region', { name: 'Jobs', exact: true })
      .locator('[data-job-kind="trainingPipeline"]')
      .first();
    await expect(jobRow.locator('.jp-Vertex-state')).toHaveText('Succeeded', {
      timeout: 300_000
    });
    const jobDetail = await openJob(page, 'train-digits');
    await expect(jobDetail.getByRole('log')).toContainText('test accuracy');
    await expect(jobDetail.getByRole('log')).toContainText(
      'model saved to gs://'
    );
    await screenshot(page, 'journey-1-job', jobDetail);

    // 3. The registered model, in its details.
    const models = panel.getByRole('region', { name: 'Models' });
    await panel.getByRole('button', { name: 'Refresh all' }).click();
    const modelRow = models
      .locator('.jp-Vertex-ModelRow')
      .filter({ hasText: MODEL_NAME });
    await expect(modelRow).toContainText('Not deployed');
    await expect(modelRow).toContainText('sklearn');
    const modelDetail = await openModel(page, MODEL_NAME);
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
      deploy.locator('.jp-Dialog-content')
    );
    await deploy.getByRole('button', { name: 'Show SDK code' }).click();
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

    // 5b. Deployed once more, beside it, with 30% of the traffic.
    await modelDetail.getByRole('button', { name: 'Deploy…' }).click();
    await deploy.getByLabel('Existing endpoint').check();
    await deploy
      .getByLabel('Endpoint to deploy to')
      .selectOption({ label: `${ENDPOINT_NAME} (1 model)` });
    await deploy.getByLabel('Traffic share (%)').fill('30');
    await deploy.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect(deploy).toHaveCount(0);
    await expect(
      modelDetail.getByRole('region', { name: 'Versions' })
    ).toContainText('2 deployments', { timeout: 180_000 });
    await expect(modelDetail.locator('.jp-Vertex-operation')).toHaveCount(0);

    // 6. The endpoint, from the model's link: 70% and 30%, as the SDK splits.
    await deployedTo
      .getByRole('button', { name: `Open endpoint ${ENDPOINT_NAME}` })
      .first()
      .click();
    // The link opens the endpoint's tab.
    const endpointDetail = page.locator(
      '.jp-Vertex-tab .jp-Vertex-EndpointDetail'
    );
    await expect(
      endpointDetail.getByRole('heading', { name: ENDPOINT_NAME })
    ).toBeVisible();
    const traffic = endpointDetail.getByRole('region', {
      name: 'Deployed models and traffic'
    });
    const shares = traffic.locator('input.jp-Vertex-traffic');
    await expect(shares).toHaveCount(2);
    await expect(shares.nth(0)).toHaveValue('70');
    await expect(shares.nth(1)).toHaveValue('30');

    // The split is edited: it must sum to 100 before it can be saved.
    const save = traffic.getByRole('button', { name: 'Save traffic split' });
    await expect(save).toBeDisabled();
    await shares.nth(0).fill('50');
    await expect(traffic.getByRole('alert')).toHaveText(
      'The shares sum to 80%; they must sum to 100%.'
    );
    await expect(save).toBeDisabled();
    await shares.nth(1).fill('50');
    await expect(traffic.getByRole('alert')).toHaveCount(0);
    await save.click();
    await expect(save).toBeDisabled();
    // Saved on the endpoint: fetched again, still 50/50.
    await panel.getByRole('button', { name: 'Refresh all' }).click();
    await expect(shares.nth(0)).toHaveValue('50');
    await expect(shares.nth(1)).toHaveValue('50');

    // 7. Test. The editor starts with the example train_digits.py saved
    // beside the model, which predicts unedited; bad input then gets the
    // model's own message.
    const testBox = endpointDetail.locator('.jp-Vertex-TestPrediction');
    const editor = endpointDetail.getByLabel('Instances (JSON)');
    const predict = endpointDetail.getByRole('button', { name: 'Predict' });
    await expect(testBox).toContainText('Example saved with the model');
    await expect(editor).not.toHaveValue('');
    await predict.click();
    const predictions = endpointDetail.getByRole('status', {
      name: 'Predictions'
    });
    await expect(predictions.locator('.jp-Vertex-prediction')).toHaveCount(1);
    await editor.fill('[[1, 2]]');
    await predict.click();
    await expect(testBox.getByRole('alert')).toContainText(
      'expecting 64 features'
    );

    // A known row of the digits data set is a 3.
    await editor.fill(JSON.stringify([DIGIT_THREE]));
    await predict.click();
    await expect(predictions.locator('.jp-Vertex-prediction')).toHaveText([
      '3'
    ]);
    await expect(predictions).toContainText(`1 prediction from ${MODEL_NAME}`);

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

    // 9. Tidy up, with the server's refusals inline: no deleting an endpoint
    // with deployed models, no undeploying the model that has all the traffic.
    const confirmWith = async (action: string) => {
      const dialog = page.locator('.jp-Dialog');
      await dialog.getByRole('button', { name: action, exact: true }).click();
      await expect(dialog).toHaveCount(0);
    };
    await endpointDetail
      .getByRole('button', { name: 'Delete endpoint' })
      .click();
    await confirmWith('Delete');
    await expect(
      endpointDetail
        .getByRole('alert')
        .filter({ hasText: 'has deployed models' })
    ).toContainText('undeploy them before deleting');

    await shares.nth(0).fill('100');
    await shares.nth(1).fill('0');
    await save.click();
    await expect(save).toBeDisabled();
    const undeploy = traffic.getByRole('button', { name: /^Undeploy / });
    await undeploy.nth(0).click();
    await confirmWith('Undeploy');
    await expect(
      endpointDetail.getByRole('alert').filter({ hasText: 'receives 100%' })
    ).toContainText('Give some traffic to the other models first');

    await undeploy.nth(1).click();
    await confirmWith('Undeploy');
    await expect(shares).toHaveCount(1, { timeout: 180_000 });
    await expect(shares.nth(0)).toHaveValue('100');
    await undeploy.nth(0).click();
    await confirmWith('Undeploy');
    await expect(traffic).toContainText('No models deployed.', {
      timeout: 180_000
    });

    await endpointDetail
      .getByRole('button', { name: 'Delete endpoint' })
      .click();
    await confirmWith('Delete');
    // Its tab closes; back where we came from: the model, deployed nowhere.
    await expect(endpointDetail).toHaveCount(0);
    await expect(deployedTo).toContainText('Not deployed.');
    await modelDetail.getByRole('button', { name: 'Delete model' }).click();
    await confirmWith('Delete');
    // The lists: neither the model nor the endpoint is left, nor their tabs.
    await expect(modelDetail).toHaveCount(0);
    await expect(models).toBeVisible();
    await expect(modelRow).toHaveCount(0);
    await expect(
      panel
        .getByRole('region', { name: 'Endpoints' })
        .locator('.jp-Vertex-EndpointRow')
        .filter({ hasText: ENDPOINT_NAME })
    ).toHaveCount(0);

    expect(errors).toEqual([]);
  });
});
