import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import { openJob, PANEL_ID, SCREENSHOTS } from './helpers';

/**
 * Logs live (issue 12): a script job's first line shows in its log while the
 * job runs, with the state shown Running; after the marker file the script
 * waits for, the job ends, and Succeeded comes with its second line. No
 * sleeps: the script waits for a file the test creates once it has seen the
 * first line in the browser.
 */
test.use({ viewport: { width: 1440, height: 900 } });

test('a job log shows a line while the job runs, and the state with it', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(240_000);
  const root = await page.evaluate(
    () =>
      JSON.parse(
        document.getElementById('jupyter-config-data')?.textContent ?? '{}'
      ).serverRoot as string
  );
  expect(root).toBeTruthy();
  // The job runs a copy of its folder elsewhere: the marker's absolute path.
  const marker = path.join(root, tmpPath, 'go');
  const script = `${tmpPath}/live_log.py`;
  await page.contents.uploadContent(
    [
      'import os, time',
      'print("first line of the live log")',
      'deadline = time.monotonic() + 180',
      `while not os.path.exists(${JSON.stringify(marker)}) and time.monotonic() < deadline:`,
      '    time.sleep(0.05)',
      'print("second line, after the marker")',
      ''
    ].join('\n'),
    'text',
    script
  );
  await page.sidebar.openTab(PANEL_ID);
  await page.evaluate(async file => {
    void window.jupyterapp.commands.execute('jupyter-vertex:train', {
      path: file
    });
  }, script);
  const dialog = page.locator('.jp-Dialog');
  await dialog.getByLabel('Display name').fill('live-log');
  await dialog.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(dialog).toHaveCount(0);

  const detail = await openJob(page, 'live-log');
  const log = detail.getByRole('log');
  const state = detail.locator('.jp-Vertex-state');
  await expect(log).toContainText('first line of the live log', {
    timeout: 120_000
  });
  // The job waits for the marker: it is running, and says so.
  await expect(state).toHaveText('Running');
  await expect(log).not.toContainText('second line');
  await expect(detail.locator('.jp-Vertex-following')).toBeVisible();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SCREENSHOTS, 'livelog-running.png')
  });

  await page.contents.uploadContent('go', 'text', `${tmpPath}/go`);
  await expect(log).toContainText('second line, after the marker', {
    timeout: 120_000
  });
  await expect(state).toHaveText('Succeeded', { timeout: 60_000 });
  await expect(detail.locator('.jp-Vertex-following')).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'livelog-ended.png') });
});
