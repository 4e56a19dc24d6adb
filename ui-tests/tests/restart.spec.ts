import { expect, test } from '@jupyterlab/galata';
import { ChildProcess, execFile, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { openEndpoint, PANEL_ID, SCREENSHOTS } from './helpers';

/**
 * A JupyterLab restart with a deployed model predicting afterwards (issue
 * 18). The test runs its own JupyterLab (not the shared `jlpm start` one):
 * it starts it on an empty data folder, deploys a digits model on its
 * embedded Vertex with the SDK (ui-tests/deploy_digits.py: quicker than the
 * UI, which other specs cover), stops it with SIGTERM as a user's Ctrl+C
 * would, starts it again on the same data, and then, in the browser, tests
 * the endpoint from the panel: the first digits row is still a 0.
 *
 * The deployed model's server comes back with the embedded Vertex; until it
 * is ready a prediction answers 503 "its model server is starting", so the
 * test presses Predict again until it answers, as a user would.
 */

const UI_TESTS = path.resolve(__dirname, '..');
const PORT = Number(process.env.JUPYTER_VERTEX_UI_PORT || '8899') + 1;
const URL = `http://127.0.0.1:${PORT}`;
const TOKEN = randomBytes(16).toString('hex');
const HERE = path.join(UI_TESTS, 'test-results', 'restart');
// Emptied by the first start (jupyter_server_test_config.py), kept by the second.
const DATA = path.join(HERE, 'data');
// The Python of the virtual environment that runs `jupyter` (the scripts' env).
const PYTHON = process.env.JUPYTER_VERTEX_UI_PYTHON || 'python';

const SERVER_START = 180_000;
const SERVER_STOP = 60_000;
const DEPLOY = 420_000;

interface IDeployed {
  endpointId: string;
  endpointName: string;
  modelId: string;
  modelName: string;
  instance: number[];
  expected: number;
}

/**
 * Start `jupyter lab` with the UI tests' server config on DATA; its output
 * goes to `log`. Resolves once GET /api/status answers 200 with the token.
 */
async function startServer(
  log: string,
  keepData: boolean
): Promise<ChildProcess> {
  const out = fs.openSync(path.join(HERE, log), 'w');
  const server = spawn(
    PYTHON,
    [
      '-m',
      'jupyter',
      'lab',
      '--config',
      path.join(UI_TESTS, 'jupyter_server_test_config.py')
    ],
    {
      cwd: UI_TESTS,
      // Its own process group: the fallback in stopServer ends the whole group.
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        JUPYTER_VERTEX_UI_DATA: DATA,
        JUPYTER_VERTEX_UI_PORT: String(PORT),
        JUPYTER_VERTEX_UI_TOKEN: TOKEN,
        JUPYTER_VERTEX_UI_KEEP_DATA: keepData ? '1' : ''
      }
    }
  );
  fs.closeSync(out);
  const deadline = Date.now() + SERVER_START;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`jupyter lab exited early; see ${log}:\n${tail(log)}`);
    }
    try {
      const answer = await fetch(`${URL}/api/status`, {
        headers: { Authorization: `token ${TOKEN}` },
        signal: AbortSignal.timeout(5_000)
      });
      if (answer.status === 200) {
        return server;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(
        `jupyter lab did not answer in ${SERVER_START / 1000} s; see ${log}:\n${tail(log)}`
      );
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

/**
 * SIGTERM (Jupyter stops its extensions, the embedded Vertex and its model
 * servers with them) and wait for the exit; SIGKILL the process group if it
 * takes longer than SERVER_STOP. Answers whether it stopped by itself.
 */
async function stopServer(server: ChildProcess | null): Promise<boolean> {
  if (!server || server.pid === undefined) {
    return true;
  }
  const exited = new Promise<void>(resolve => {
    if (server.exitCode !== null || server.signalCode !== null) {
      resolve();
    } else {
      server.once('exit', () => resolve());
    }
  });
  server.kill('SIGTERM');
  const graceful = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>(resolve =>
      setTimeout(() => resolve(false), SERVER_STOP)
    )
  ]);
  if (!graceful) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
    await exited;
  }
  return graceful;
}

function tail(log: string): string {
  try {
    return fs
      .readFileSync(path.join(HERE, log), 'utf-8')
      .split('\n')
      .slice(-40)
      .join('\n');
  } catch {
    return '';
  }
}

/**
 * Run ui-tests/deploy_digits.py against the running server's embedded Vertex
 * (found through the server's runtime dir) and answer what it printed.
 */
function deployDigits(): Promise<IDeployed> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [
        path.join(UI_TESTS, 'deploy_digits.py'),
        path.join(DATA, 'tmp', 'digits-model')
      ],
      {
        cwd: UI_TESTS,
        timeout: DEPLOY,
        killSignal: 'SIGKILL',
        env: {
          ...process.env,
          JUPYTER_RUNTIME_DIR: path.join(DATA, 'runtime'),
          TMPDIR: path.join(DATA, 'tmp')
        }
      },
      (error, stdout, stderr) => {
        fs.writeFileSync(path.join(HERE, 'deploy.log'), stdout + stderr);
        if (error) {
          reject(new Error(`deploy_digits.py failed: ${error}\n${stderr}`));
          return;
        }
        const lines = stdout.trim().split('\n');
        resolve(JSON.parse(lines[lines.length - 1]) as IDeployed);
      }
    );
  });
}

test.describe('A JupyterLab restart', () => {
  test.describe.configure({ mode: 'serial' });
  test.use({
    baseURL: URL,
    // The page logs in with the token in its URL; Galata's own requests
    // (its temporary folder, kernels and sessions) carry it in a header.
    autoGoto: false,
    extraHTTPHeaders: { Authorization: `token ${TOKEN}` },
    viewport: { width: 1400, height: 1200 }
  });

  let server: ChildProcess | null = null;
  let deployed: IDeployed | null = null;
  let stoppedGracefully = false;

  test.beforeAll(async () => {
    test.setTimeout(2 * SERVER_START + DEPLOY + SERVER_STOP + 60_000);
    fs.rmSync(HERE, { recursive: true, force: true });
    fs.mkdirSync(HERE, { recursive: true });

    // 1. A fresh JupyterLab, and a model deployed on its embedded Vertex.
    server = await startServer('server-1.log', false);
    deployed = await deployDigits();

    // 2. Stopped, and started again on the same data.
    stoppedGracefully = await stopServer(server);
    server = null;
    server = await startServer('server-2.log', true);
  });

  test.afterAll(async () => {
    test.setTimeout(SERVER_STOP + 30_000);
    await stopServer(server);
    server = null;
  });

  test('the deployed model predicts from the Test box after the restart', async ({
    page
  }) => {
    test.setTimeout(300_000);
    expect(deployed).not.toBeNull();
    const { endpointId, endpointName, modelName, instance, expected } =
      deployed!;
    expect(stoppedGracefully, 'jupyter lab stopped on SIGTERM').toBe(true);

    await page.goto(`${URL}/lab?token=${TOKEN}`);
    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    // A wider sidebar, as users drag it for the details.
    const handle = await page
      .locator('#jp-main-split-panel > .lm-SplitPanel-handle')
      .first()
      .boundingBox();
    if (handle) {
      await page.mouse.move(handle.x + 1, handle.y + 300);
      await page.mouse.down();
      await page.mouse.move(handle.x + 160, handle.y + 300, { steps: 5 });
      await page.mouse.up();
    }

    // The endpoint is listed, with its model, and opens.
    const endpoints = panel.getByRole('region', { name: 'Endpoints' });
    const row = endpoints.locator(
      `.jp-Vertex-EndpointRow[data-endpoint-id="${endpointId}"]`
    );
    await expect(async () => {
      await panel
        .getByRole('button', { name: 'Refresh all' })
        .click({ timeout: 5_000 });
      await expect(row).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 120_000, intervals: [2_000] });
    await expect(row).toContainText(endpointName);
    await expect(row).toContainText(modelName);
    const detail = await openEndpoint(page, endpointName);
    await expect(
      detail.getByRole('heading', { name: endpointName })
    ).toBeVisible();
    await expect(
      detail.getByRole('region', { name: 'Deployed models and traffic' })
    ).toContainText(modelName);

    // Test: the first digits row. Until its model server is back, Predict
    // answers that it is starting: press it again, as a user would.
    const editor = detail.getByLabel('Instances (JSON)');
    await editor.fill(JSON.stringify([instance]));
    const predict = detail.getByRole('button', { name: 'Predict' });
    const testBox = detail.locator('.jp-Vertex-TestPrediction');
    const predictions = detail.getByRole('status', { name: 'Predictions' });
    const refusals: string[] = [];
    await expect(async () => {
      await predict.click({ timeout: 10_000 });
      await expect(predict).toBeEnabled({ timeout: 30_000 });
      const alert = testBox.getByRole('alert');
      if (await alert.count()) {
        refusals.push((await alert.first().innerText()).trim());
      }
      await expect(predictions.locator('.jp-Vertex-prediction')).toHaveText(
        [String(expected)],
        { timeout: 5_000 }
      );
    }).toPass({ timeout: 180_000, intervals: [2_000, 3_000, 5_000] });
    await expect(predictions).toContainText(`1 prediction from ${modelName}`);
    await expect(testBox.getByRole('alert')).toHaveCount(0);
    // Only "starting" refusals before it answered, if any.
    for (const refusal of refusals) {
      expect(refusal).toMatch(/starting/i);
    }
    console.log(`refusals before the prediction: ${JSON.stringify(refusals)}`);
    test.info().annotations.push({
      type: 'refusals before the prediction',
      description: refusals.length ? refusals.join(' | ') : 'none'
    });

    // The panel down to the prediction.
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.mouse.move(0, 0);
    const box = await panel.boundingBox();
    const bottom = await predictions.boundingBox();
    expect(box && bottom).toBeTruthy();
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'restart-predict.png'),
      clip: {
        x: box!.x,
        y: box!.y,
        width: box!.width,
        height:
          Math.min(box!.y + box!.height, bottom!.y + bottom!.height + 12) -
          box!.y
      }
    });
  });
});
