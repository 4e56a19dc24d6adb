import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import {
  deployModel,
  openEndpoint,
  notebookJSON,
  PANEL_ID,
  runRegisterCells,
  SCREENSHOTS
} from './helpers';

/**
 * Predict with Vertex endpoint from a cell selection, then the endpoint's
 * metrics charts showing those requests. Against the real server extension
 * and its embedded Vertex (`jlpm start`): a digits model is trained and
 * registered by a notebook cell with the SDK and deployed through the
 * extension's REST API.
 */

const NOTEBOOK = 'predict-selection.ipynb';
const MODEL = 'digits-predict';
const ENDPOINT = 'digits-predict-endpoint';

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
    'print("model", model.name, y[:3].tolist(), classifier.predict(X[:3]).tolist())'
  ].join('\n'),
  'print(X[:3])'
];

async function save(page: IJupyterLabPageFixture, name: string, clip?: any) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), clip });
}

test.describe('Predict with Vertex endpoint', () => {
  test.describe.configure({ mode: 'serial' });
  // Tall enough for the endpoint tab's charts.
  test.use({ viewport: { width: 1440, height: 1200 } });
  let endpointId = '';
  let firstMinute = 0;

  test('predicts the classes of a selected array, and inserts the SDK code', async ({
    page
  }) => {
    test.setTimeout(300_000);
    // The command, its shortcut and its palette entry exist.
    const command = await page.evaluate(() => {
      const commands = window.jupyterapp.commands;
      const id = 'jupyter-vertex:predict-selection';
      return {
        label: commands.label(id),
        caption: commands.caption(id),
        keys: commands.keyBindings
          .filter(b => b.command === id)
          .map(b => b.keys.join(' '))
      };
    });
    expect(command.label).toBe('Predict with Vertex endpoint');
    expect(command.caption).toContain('Evaluate the selected expression');
    expect(command.keys).toEqual(['Ctrl Alt P']);

    // A notebook that trains and registers a digits model with the SDK.
    expect(
      await page.contents.uploadContent(notebookJSON(CELLS), 'text', NOTEBOOK)
    ).toBe(true);
    await page.filebrowser.openHomeDirectory();
    const match = await runRegisterCells(
      page,
      NOTEBOOK,
      /model (\d+) \[0, 1, 2\] \[0, 1, 2\]/
    );
    endpointId = await deployModel(page.request, match[1], ENDPOINT);

    // Select `X[:3]` inside `print(X[:3])` and predict from the cell's
    // context menu.
    const input = await page.notebook.getCellInputLocator(2);
    await input!.locator('.cm-content').click();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Shift+ArrowLeft');
    }
    await input!.click({ button: 'right', position: { x: 60, y: 10 } });
    await page
      .getByRole('menuitem', { name: 'Predict with Vertex endpoint' })
      .click();

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('X[:3]');
    await expect(dialog).toContainText(
      'numpy.ndarray · shape (3, 64) · float64'
    );
    await expect(
      dialog.getByRole('radio', {
        name: 'A batch of 3 rows (one instance each)'
      })
    ).toBeChecked();
    const select = dialog.locator('select');
    await expect(select).toHaveValue(endpointId);
    await expect(dialog).toContainText('3 instances');
    await expect(dialog).toContainText('one online request.');
    await page.mouse.move(0, 0);
    await save(page, 'predict-dialog');
    await dialog.getByRole('button', { name: 'Predict', exact: true }).click();

    // The result view: the exact classes, in order.
    const result = page.locator('.jp-Vertex-PredictResult');
    await expect(result).toHaveAttribute('data-state', 'succeeded', {
      timeout: 60_000
    });
    await expect(result).toContainText(`3 predictions from ${ENDPOINT}`);
    await expect(
      result.locator('.jp-Vertex-PredictResult-prediction')
    ).toHaveText(['0', '1', '2']);
    await page.mouse.move(0, 0);
    // The notebook and the predictions, without the empty space below.
    const dock = await page.locator('#jp-main-dock-panel').boundingBox();
    await save(
      page,
      'predict-result',
      dock ? { ...dock, height: Math.min(dock.height, 780) } : undefined
    );

    // The remembered endpoint is the default next time.
    // (Galata keeps settings in the page: read them through the registry.)
    const remembered = await page.evaluate(async () => {
      const registry: any = await (window as any).galata.getPlugin(
        '@jupyterlab/apputils-extension:settings'
      );
      const settings = await registry.load('jupyter-vertex:plugin');
      return settings.get('defaultEndpoint').composite;
    });
    expect(remembered).toBe(endpointId);

    // Insert a cell with the SDK code below the selection's cell.
    await result.getByRole('button', { name: 'Insert a cell' }).click();
    await expect(result).toContainText('Inserted a cell with the SDK code.');
    await page.notebook.activate(NOTEBOOK);
    const inserted = await page.notebook.getCellTextInput(3);
    expect(inserted).toContain('instances = X[:3].tolist()');
    expect(inserted).toContain(`endpoints/${endpointId}`);
    expect(inserted).toContain('endpoint.predict(instances=instances)');

    // The probe left nothing in the user's namespace.
    await page.notebook.setCell(
      3,
      'code',
      'print(sorted(k for k in globals() if "probe" in k or "jupyter_vertex_" in k))'
    );
    await page.notebook.runCell(3);
    expect((await page.notebook.getCellTextOutput(3))?.join('').trim()).toBe(
      '[]'
    );

    // More rows than one request takes (1.7 MB of JSON): a bulk prediction,
    // from the cursor's line (no selection) and the keyboard shortcut.
    await page.notebook.setCell(3, 'code', 'X.repeat(6, axis=0)');
    const bulkInput = await page.notebook.getCellInputLocator(3);
    await bulkInput!.locator('.cm-content').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Alt+P');
    await expect(dialog).toContainText(
      'numpy.ndarray · shape (10782, 64) · float64'
    );
    await expect(dialog).toContainText(
      'a bulk prediction in several requests.'
    );
    await dialog.getByRole('button', { name: 'Predict', exact: true }).click();
    const bulkResult = page
      .locator('.jp-Vertex-PredictResult')
      .filter({ hasText: 'X.repeat(6, axis=0)' });
    await expect(bulkResult).toHaveAttribute('data-state', 'succeeded', {
      timeout: 120_000
    });
    await expect(bulkResult).toContainText(
      `10782 predictions from ${ENDPOINT}`
    );
    await expect(bulkResult).toContainText('bulk, 10782 instances');
    await expect(
      bulkResult.locator('.jp-Vertex-PredictResult-prediction')
    ).toHaveCount(1000);
    const firstRows = await bulkResult
      .locator('.jp-Vertex-PredictResult-prediction')
      .evaluateAll(cells => cells.slice(0, 8).map(cell => cell.textContent));
    expect(firstRows).toEqual(['0', '0', '0', '0', '0', '0', '1', '1']);
    await expect(bulkResult).toContainText(
      'Showing the first 1000 of 10782 predictions; Copy as JSON has them all.'
    );
    firstMinute = Math.floor(Date.now() / 60_000);

    await page.notebook.save();
  });

  test('the metrics charts show the requests just made, in light and dark', async ({
    page
  }) => {
    test.setTimeout(300_000);
    expect(endpointId).not.toBe('');
    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    const endpoints = panel.getByRole('region', { name: 'Endpoints' });
    await panel.getByRole('button', { name: 'Refresh all' }).click();
    await expect(
      endpoints.getByRole('listitem').filter({ hasText: ENDPOINT })
    ).toBeVisible();
    const endpoint = await openEndpoint(page, ENDPOINT);

    const metrics = endpoint.locator('.jp-Vertex-EndpointMetrics');
    await expect(metrics).toBeVisible();

    // More traffic in the next minute: 5 instances, and 1 the model rejects.
    await expect
      .poll(() => Math.floor(Date.now() / 60_000), {
        timeout: 70_000,
        intervals: [1000]
      })
      .toBeGreaterThan(firstMinute);
    const good = await page.request.post(
      `jupyter-vertex/api/endpoints/${endpointId}/predict`,
      { data: { instances: Array(5).fill(Array(64).fill(0)) } }
    );
    expect(good.status()).toBe(200);
    const bad = await page.request.post(
      `jupyter-vertex/api/endpoints/${endpointId}/predict`,
      { data: { instances: [[1, 2]] } }
    );
    expect(bad.status()).toBe(400);

    // Measured per minute and flushed off the request path: refresh until
    // that minute is in. Then its values are the latest: 6 instances, 2
    // requests (a 200 and a 400) in 60 s.
    const latest = (chart: string) =>
      metrics.locator(
        `figure[data-chart-id="${chart}"] tbody tr td:nth-child(2)`
      );
    const refresh = metrics.getByRole('button', { name: 'Refresh metrics' });
    await expect
      .poll(
        async () => {
          await refresh.click();
          await expect(metrics).toHaveAttribute('aria-busy', 'false');
          return latest('predictions').allTextContents();
        },
        { timeout: 120_000, intervals: [3000] }
      )
      .toEqual(['0.1 predictions/s']);
    await expect(metrics.locator('figcaption')).toHaveText([
      'Predictions per second (predictions/s)',
      'Requests per second (requests/s)',
      'Error rate (%)',
      'Latency, total (ms)',
      'Latency, model (ms)',
      'Response codes (requests/s)',
      'Replicas'
    ]);
    await expect(metrics.locator('canvas')).toHaveCount(7);
    await expect(
      metrics.locator('figure[data-chart-id="predictions"] tbody th')
    ).toHaveText(['digits-predict']);
    await expect(latest('requests')).toHaveText(['0.0333 requests/s']);
    await expect(latest('errors')).toHaveText(['50%']);
    await expect(
      metrics.locator('figure[data-chart-id="responseCodes"] tbody th')
    ).toHaveText(['200', '400']);
    await expect(latest('responseCodes')).toHaveText([
      '0.0167 requests/s',
      '0.0167 requests/s'
    ]);
    await expect(latest('replicas')).toHaveText(['1']);
    for (const chart of ['latencyTotal', 'latencyModel']) {
      await expect(
        metrics.locator(`figure[data-chart-id="${chart}"] tbody th`)
      ).toHaveText(['p50', 'p95', 'p99']);
      await expect(latest(chart)).toHaveText([
        /^[\d.]+ ms$/,
        /^[\d.]+ ms$/,
        /^[\d.]+ ms$/
      ]);
    }
    await expect(
      metrics.getByRole('img', {
        name: 'Error rate. errors: latest 50%'
      })
    ).toBeVisible();

    // The window selector asks again; the minute is in the 6 h too.
    await metrics.getByRole('radio', { name: '6h' }).click();
    await expect(metrics).toHaveAttribute('data-window', '6h');
    await expect(metrics.locator('figure')).toHaveCount(7);
    await metrics.getByRole('radio', { name: '1h' }).click();
    await expect(metrics.locator('figure')).toHaveCount(7);

    // Screenshots: the charts at the endpoint tab's width.
    await page.mouse.move(0, 0);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = async (name: string) => {
      await metrics.evaluate(node => node.scrollIntoView({ block: 'start' }));
      const area = await metrics.boundingBox();
      const viewport = page.viewportSize();
      if (area && viewport) {
        await page.screenshot({
          path: path.join(SCREENSHOTS, `${name}.png`),
          clip: {
            x: area.x,
            y: area.y,
            width: area.width,
            height: Math.min(area.height, viewport.height - area.y)
          }
        });
      }
    };
    await shot('metrics-light');
    await page.theme.setDarkTheme();
    await expect(metrics.locator('canvas')).toHaveCount(7);
    await shot('metrics-dark');
    await page.theme.setLightTheme();
  });
});
