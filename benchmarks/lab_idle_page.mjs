// Time to an idle JupyterLab page in Chromium, for bench_lab_idle.py.
//
//   node benchmarks/lab_idle_page.mjs '[{"name": "with", "url": "http://…/lab?token=…"}, …]'
//
// Each page opens in a fresh browser context (a cold cache, as on a first
// visit), in the order given. Printed (JSON, one object): per name, the
// milliseconds from navigation start until the page is idle — JupyterLab's
// layout restored (`jupyterapp.restored`) and its last script or stylesheet
// received, whichever is later — and how many scripts it fetched.
import { createRequire } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
// The UI tests' Playwright, driving Debian's Chromium (BUILD-NOTES.md).
const require = createRequire(path.join(here, '..', 'ui-tests', 'package.json'));
const { chromium } = require('@playwright/test');

// Runs in the page before its own scripts: room for every resource entry,
// and the moment the layout is restored, without polling.
function hook() {
  performance.setResourceTimingBufferSize(5000);
  let app;
  Object.defineProperty(window, 'jupyterapp', {
    configurable: true,
    get: () => app,
    set: value => {
      app = value;
      value.restored.then(() => {
        window.__restoredAt = performance.now();
      });
    }
  });
}

function idleAt() {
  const loaded = performance
    .getEntriesByType('resource')
    .filter(entry => /\.(js|css)(\?|$)/.test(new URL(entry.name).pathname));
  const last = Math.max(0, ...loaded.map(entry => entry.responseEnd));
  return {
    ms: Math.max(window.__restoredAt, last),
    restoredMs: window.__restoredAt,
    scripts: loaded.filter(entry => entry.name.includes('.js')).length
  };
}

const targets = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
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
});
const results = {};
try {
  for (const { name, url } of targets) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 }
    });
    const page = await context.newPage();
    await page.addInitScript(hook);
    await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
    await page.waitForFunction(() => window.__restoredAt !== undefined, null, {
      timeout: 120_000
    });
    await page.locator('#main').waitFor({ state: 'visible' });
    // Late chunks (plugins activated after the restore) count too.
    await page
      .waitForLoadState('networkidle', { timeout: 30_000 })
      .catch(() => undefined);
    results[name] = await page.evaluate(idleAt);
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
