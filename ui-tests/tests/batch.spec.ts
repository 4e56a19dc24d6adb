import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import {
  deployModel,
  removeEndpoint,
  DOC_SCREENSHOTS,
  notebookJSON,
  openModel,
  PANEL_ID,
  runRegisterCells
} from './helpers';

/**
 * Batch predict a CSV of the Jupyter root from a model's tab, against the
 * real server extension and its embedded Vertex: a digits model registered
 * by a notebook cell with the SDK, the job followed in its tab to Succeeded,
 * its first predictions as a table, and the DataFrame cell inserted into
 * the notebook and run.
 */

const NOTEBOOK = 'batch-predict.ipynb';
const CSV = 'batch-rows.csv';
const MODEL = 'digits-batch';
const JOB = 'digits-batch-rows';
const ROWS = 40;

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
 * `ROWS` rows of 64 pixel values (0–16, as the digits data set's), with a
 * header.
 */
function digitsCSV(): string {
  const header = Array.from({ length: 64 }, (_, j) => `p${j}`).join(',');
  const rows = Array.from({ length: ROWS }, (_, i) =>
    Array.from({ length: 64 }, (_, j) => (i * 7 + j * 3) % 17).join(',')
  );
  return [header, ...rows].join('\n') + '\n';
}

test.describe('Batch prediction', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('batch-predicts a CSV of the root from the model tab and opens the results', async ({
    page
  }) => {
    test.setTimeout(420_000);
    await page.contents.uploadContent(notebookJSON(CELLS), 'text', NOTEBOOK);
    await page.contents.uploadContent(digitsCSV(), 'text', CSV);
    await page.filebrowser.openHomeDirectory();
    await runRegisterCells(page, NOTEBOOK, /^model \d+$/m);

    const model = await openModel(page, MODEL);
    await model.getByRole('button', { name: 'Batch predict…' }).click();
    const dialog = page.locator('.jp-Dialog .jp-Vertex-BatchDialog');
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('File', { exact: true }).fill(CSV);
    // The format follows the file's name.
    await expect(dialog.getByLabel('Instances format')).toHaveValue('csv');
    await dialog.getByLabel('Job name').fill(JOB);
    await dialog.getByRole('button', { name: 'Show SDK code' }).click();
    await expect(dialog.getByLabel('Python SDK code')).toContainText(
      'batch_predict('
    );
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Start batch job' })
      .click();

    // The job's tab opens and follows it to the end.
    const view = page.locator(
      '.jp-Vertex-tab-batchJob .jp-Vertex-BatchJobDetail'
    );
    await expect(view).toBeVisible();
    await expect(view.locator('.jp-Vertex-JobDetail-title')).toHaveText(JOB);
    await expect(view.locator('.jp-Vertex-state').first()).toHaveAttribute(
      'data-state',
      'SUCCEEDED',
      { timeout: 240_000 }
    );
    await expect(view.locator('.jp-Vertex-batchProgress-text')).toContainText(
      `${ROWS} / ${ROWS} rows`
    );
    // The sidebar lists it.
    await expect(
      page
        .locator(`#${PANEL_ID} .jp-Vertex-BatchJobRow`)
        .filter({ hasText: JOB })
    ).toBeVisible({ timeout: 60_000 });

    // The list's state filter asks the server: the job is among the succeeded
    // ones only.
    const section = page.locator(`#${PANEL_ID} #jp-Vertex-batchJobs`);
    const byState = section.getByLabel('Filter batch jobs by state');
    await byState.selectOption('FAILED');
    await expect(
      section.getByText('No batch jobs in this state.')
    ).toBeVisible();
    await byState.selectOption('SUCCEEDED');
    await expect(
      section.locator('.jp-Vertex-BatchJobRow').filter({ hasText: JOB })
    ).toBeVisible();
    await byState.selectOption('');

    const table = view.getByRole('table', { name: 'Predictions (first rows)' });
    await expect(table.locator('thead th')).toHaveText([
      'instance',
      'prediction'
    ]);
    await expect(table.locator('tbody tr')).toHaveCount(10);
    // Each prediction is a digit class.
    const first = await table
      .locator('tbody tr')
      .first()
      .locator('td')
      .nth(1)
      .textContent();
    expect(first).toMatch(/^[0-9]$/);

    fs.mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    await page.screenshot({
      path: path.join(DOC_SCREENSHOTS, 'tab-batch-light.png')
    });

    // The DataFrame cell goes into the notebook and loads every prediction.
    await view.getByRole('button', { name: 'Insert DataFrame cell' }).click();
    // The notebook comes forward with its new cell; the tab says so.
    await expect(
      view.getByText('Inserted below the active cell.')
    ).toBeAttached();
    await page.notebook.activate(NOTEBOOK);
    // Running the last cell left an empty one active: the new cell is last.
    const index = (await page.notebook.getCellCount()) - 1;
    expect(index).toBeGreaterThanOrEqual(CELLS.length);
    expect(await page.notebook.getCellTextInput(index)).toContain(
      'predictions = pd.concat(frames'
    );
    await page.notebook.runCell(index);
    // Running it left a new empty cell below: check the DataFrame there.
    const check = (await page.notebook.getCellCount()) - 1;
    await page.notebook.setCell(
      check,
      'code',
      'print(len(predictions), list(predictions.columns))'
    );
    await page.notebook.runCell(check);
    const output = (await page.notebook.getCellTextOutput(check))?.join('');
    expect(output?.trim()).toBe(`${ROWS} ['instance', 'prediction']`);
  });

  test("offers a batch job for a large selection and runs it on the endpoint's model version", async ({
    page
  }) => {
    test.setTimeout(480_000);
    const notebook = 'batch-offer.ipynb';
    const stem = 'batch-offer';
    const rows = 1500;
    const cells = [...CELLS, `X[:${rows}]`];
    cells[1] = cells[1].replace(`"${MODEL}"`, '"digits-offer"');
    await page.contents.uploadContent(notebookJSON(cells), 'text', notebook);
    await page.filebrowser.openHomeDirectory();
    const match = await runRegisterCells(page, notebook, /^model (\d+)$/m);
    const endpointId = await deployModel(
      page.request,
      match[1],
      'digits-offer-endpoint'
    );

    // Predict from the cursor's line `X[:1500]`: more rows than the offer's
    // threshold.
    const input = await page.notebook.getCellInputLocator(2);
    await input!.locator('.cm-content').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Alt+P');
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(
      `numpy.ndarray · shape (${rows}, 64) · float64`
    );
    const offer = dialog.locator('.jp-Vertex-PredictDialog-batchOffer');
    await expect(offer).toContainText(
      'More than 1,000 rows: 1 online request would carry these 1,500 rows from this page'
    );
    await expect(offer).toContainText(
      'Model version: digits-offer version 1, the model the endpoint serves.'
    );
    await page.mouse.move(0, 0);
    fs.mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    await page.screenshot({
      path: path.join(DOC_SCREENSHOTS, 'predict-batch-offer.png')
    });
    await dialog.getByRole('button', { name: 'Batch predict instead' }).click();

    // The Batch predict dialog, prefilled: the rows' file beside the
    // notebook, jsonl, the endpoint's model version.
    const batch = page.locator('.jp-Dialog .jp-Vertex-BatchDialog');
    await expect(batch).toBeVisible();
    await expect(page.locator('.jp-Dialog-header')).toHaveText(
      'Batch predict with "digits-offer"'
    );
    const file = await batch.getByLabel('File', { exact: true }).inputValue();
    expect(file).toMatch(new RegExp(`^${stem}-rows-\\d{8}-\\d{6}\\.jsonl$`));
    expect(await page.contents.fileExists(file)).toBe(true);
    await expect(batch.getByLabel('Instances format')).toHaveValue('jsonl');
    await expect(batch.locator('.jp-Vertex-BatchDialog-note')).toHaveText(
      `The 1,500 rows of X[:${rows}] are in ${file}, in the Jupyter root. Model version: digits-offer version 1, the model it serves at endpoint digits-offer-endpoint.`
    );
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Start batch job' })
      .click();

    const view = page.locator(
      '.jp-Vertex-tab-batchJob .jp-Vertex-BatchJobDetail'
    );
    await expect(view).toBeVisible();
    await expect(view.locator('.jp-Vertex-JobDetail-title')).toHaveText(
      file.replace(/\.jsonl$/, '')
    );
    await expect(view.locator('.jp-Vertex-state').first()).toHaveAttribute(
      'data-state',
      'SUCCEEDED',
      { timeout: 300_000 }
    );
    await expect(view.locator('.jp-Vertex-batchProgress-text')).toContainText(
      '1,500 / 1,500 rows'
    );
    const table = view.getByRole('table', { name: 'Predictions (first rows)' });
    await expect(table.locator('tbody tr')).toHaveCount(10);

    await page.mouse.move(0, 0);
    await page.theme.setDarkTheme();
    await expect(table).toBeVisible();
    await page.screenshot({
      path: path.join(DOC_SCREENSHOTS, 'tab-batch-dark.png')
    });
    await page.theme.setLightTheme(); // The next specs start light.
    // The specs after this one find nothing running and no endpoint of it.
    await removeEndpoint(page.request, endpointId);
  });
});
