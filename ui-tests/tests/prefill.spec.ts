import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import { deployModel, openEndpoint, PANEL_ID, SCREENSHOTS } from './helpers';

/**
 * Issue 12, points 5 and 7: the Test editor of a model trained by
 * examples/train_digits.py starts with the example the script saved beside
 * the model and predicts it without editing; undeploying that endpoint from
 * "Running now" ends its notification.
 *
 * The model is trained and deployed through the extension's REST API (the
 * Train and Deploy dialogs have their own specs), as a user's job would.
 */

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const SKLEARN_SERVING =
  'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest';
const SUFFIX = Date.now().toString(36);
const MODEL_NAME = `digits-prefill-${SUFFIX}`;
const ENDPOINT_NAME = `digits-prefill-ep-${SUFFIX}`;

test.use({ viewport: { width: 1440, height: 900 } });

test.describe.serial('Test with a real example', () => {
  let modelId = '';

  test('the Test editor of a model trained by train_digits.py is prefilled and predicts unedited', async ({
    page,
    request,
    tmpPath
  }) => {
    test.setTimeout(420_000);
    // Train with the example script, registering the model.
    const script = `${tmpPath}/train_digits.py`;
    await page.contents.uploadContent(
      fs.readFileSync(path.join(EXAMPLES, 'train_digits.py'), 'utf-8'),
      'text',
      script
    );
    const created = await request.post('jupyter-vertex/api/jobs', {
      data: {
        path: script,
        displayName: `train-${MODEL_NAME}`,
        framework: 'scikit-learn',
        args: ['--max-iter', '300'],
        registerModel: {
          servingContainerImageUri: SKLEARN_SERVING,
          modelDisplayName: MODEL_NAME
        }
      }
    });
    expect(created.status()).toBe(201);
    const job = await created.json();
    let latest = job;
    await expect
      .poll(
        async () => {
          const answer = await request.get(
            `jupyter-vertex/api/jobs/${job.kind}/${job.id}`
          );
          latest = await answer.json();
          return latest.state;
        },
        { timeout: 240_000, intervals: [1_000, 2_000] }
      )
      .toMatch(/^(SUCCEEDED|FAILED|CANCELLED)$/);
    expect(latest.state).toBe('SUCCEEDED');
    modelId = String(latest.model.uploadedModel)
      .split('/')
      .pop()!
      .split('@')[0];
    const example = await (
      await request.get(`jupyter-vertex/api/models/${modelId}/example`)
    ).json();
    expect(example.source).toBe('artifact');
    expect(example.instances).toHaveLength(1);
    expect(example.instances[0]).toHaveLength(64);
    await deployModel(request, modelId, ENDPOINT_NAME);

    // The Test editor starts with the saved example and says where it is from.
    const detail = await openEndpoint(page, ENDPOINT_NAME);
    const editor = detail.getByLabel('Instances (JSON)');
    await expect(editor).toHaveValue(JSON.stringify(example.instances));
    await expect(detail.locator('.jp-Vertex-TestPrediction')).toContainText(
      'Example saved with the model'
    );
    const value = await editor.inputValue();
    expect(value).not.toContain('0.1, 2.5, 3');
    expect(JSON.parse(value)[0].every((v: number) => v === 0)).toBe(false);

    // Predict as it is: one digit, no error.
    await detail.getByRole('button', { name: 'Predict' }).click();
    const predictions = detail.getByRole('status', { name: 'Predictions' });
    await expect(predictions.locator('.jp-Vertex-prediction')).toHaveText([
      /^\d$/
    ]);
    await expect(predictions).toContainText(`1 prediction from ${MODEL_NAME}`);
    await expect(
      detail.locator('.jp-Vertex-TestPrediction').getByRole('alert')
    ).toHaveCount(0);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await detail
      .locator('.jp-Vertex-TestPrediction')
      .screenshot({ path: path.join(SCREENSHOTS, 'test-prefilled.png') });
  });

  test('an undeploy from Running now ends its notification', async ({
    page
  }) => {
    expect(modelId).not.toBe('');
    await page.sidebar.openTab(PANEL_ID);
    const running = page
      .locator(`#${PANEL_ID}`)
      .locator('.jp-Vertex-RunningNow');
    const undeploy = running.getByRole('button', {
      name: `Undeploy all models from endpoint ${ENDPOINT_NAME}`
    });
    await expect(async () => {
      if (!(await undeploy.count())) {
        await page
          .locator(`#${PANEL_ID}`)
          .getByRole('button', { name: 'Refresh all' })
          .click({ timeout: 5_000 });
      }
      await expect(undeploy).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 60_000, intervals: [1_000, 2_000] });
    await undeploy.click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByRole('button', { name: 'Undeploy' }).click();

    // The notification ends (within one poll of the operation's end), and
    // nothing about this endpoint keeps spinning.
    const toasts = page
      .locator('.Toastify__toast')
      .filter({ hasText: `from "${ENDPOINT_NAME}"` });
    await expect(
      toasts.filter({ hasText: `from "${ENDPOINT_NAME}": done.` })
    ).toBeVisible({ timeout: 15_000 });
    await expect(
      toasts.filter({ hasText: `from "${ENDPOINT_NAME}"…` })
    ).toHaveCount(0);
    await expect(undeploy).toHaveCount(0);
  });
});
