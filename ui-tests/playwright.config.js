/**
 * Galata (Playwright) configuration of the jupyter-vertex UI tests.
 *
 * - Runs in Debian's Chromium (/usr/bin/chromium): Playwright cannot download
 *   its own browsers or ffmpeg here, so video and trace are off.
 * - JupyterLab listens on JUPYTER_VERTEX_UI_PORT (default 8899, not Galata's
 *   8888, which clashes on a shared machine).
 */
const fs = require('fs');
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.JUPYTER_VERTEX_UI_PORT || '8899';
const baseURL = `http://localhost:${port}`;

// Chromium's own cache, config and runtime files (dconf...) go here, not to
// $HOME. (Not under .jupyter-data: the server empties that when it starts.)
const browserDir = path.join(__dirname, 'test-results', 'browser');
const browserEnv = {};
for (const [name, sub] of [
  ['XDG_CACHE_HOME', 'cache'],
  ['XDG_CONFIG_HOME', 'config'],
  ['XDG_RUNTIME_DIR', 'runtime']
]) {
  browserEnv[name] = path.join(browserDir, sub);
  fs.mkdirSync(browserEnv[name], { recursive: true, mode: 0o700 });
}

module.exports = {
  ...baseConfig,
  testDir: './tests',
  outputDir: './test-results/artifacts',
  reporter: [['list'], ['html', { open: 'never' }]],
  // The tests share one JupyterLab server and its embedded Vertex.
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  use: {
    ...baseConfig.use,
    baseURL,
    viewport: { width: 1280, height: 800 },
    // Sharp screenshots for the docs.
    deviceScaleFactor: 2,
    video: 'off',
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      env: { ...process.env, ...browserEnv },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: 'jlpm start',
    url: `${baseURL}/lab`,
    timeout: 120_000,
    reuseExistingServer: !process.env.CI,
    // SIGTERM (not Playwright's default SIGKILL) so Jupyter stops the
    // embedded Vertex it supervises instead of leaving it running.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    env: { ...process.env, JUPYTER_VERTEX_UI_PORT: port },
    stdout: 'pipe',
    stderr: 'pipe'
  }
};
