import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as path from 'path';

/**
 * What several UI specs do the same way: the panel's id, where screenshots
 * go, a notebook that registers a model from its cells, a deployment through
 * the extension's REST API, and a long-running training job.
 */

export const PANEL_ID = 'jp-vertex-panel';
export const SCREENSHOTS = path.resolve(__dirname, '..', 'test-results');

/**
 * A Python 3 notebook (nbformat 4.5) with these code cells, unexecuted.
 */
export function notebookJSON(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map(source => ({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source
    })),
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/**
 * Open the notebook at `notebookPath`, run its first two cells (the
 * emulator's init, then the cell that registers a model) and return the
 * match of `printed` in the second cell's output.
 */
export async function runRegisterCells(
  page: IJupyterLabPageFixture,
  notebookPath: string,
  printed: RegExp
): Promise<RegExpExecArray> {
  expect(await page.notebook.openByPath(notebookPath)).toBe(true);
  await page.notebook.activate(path.posix.basename(notebookPath));
  await page.notebook.runCell(0);
  await page.notebook.runCell(1);
  const output = (await page.notebook.getCellTextOutput(1))?.join('') ?? '';
  const match = printed.exec(output);
  expect(match, `the cell printed: ${output}`).not.toBeNull();
  return match!;
}

/**
 * Deploy a model through the extension's API to a new endpoint named
 * `endpointDisplayName`; wait for the operation to end without error and
 * return the endpoint's id.
 */
export async function deployModel(
  request: APIRequestContext,
  modelId: string,
  endpointDisplayName: string
): Promise<string> {
  const started = await request.post(
    `jupyter-vertex/api/models/${modelId}/deploy`,
    { data: { endpointDisplayName, machineType: 'n1-standard-2' } }
  );
  expect(started.status()).toBe(202);
  const operation = await started.json();
  let latest = operation;
  await expect
    .poll(
      async () => {
        const answer = await request.get(
          `jupyter-vertex/api/operations?name=${encodeURIComponent(operation.name)}`
        );
        latest = await answer.json();
        return latest.done;
      },
      { timeout: 120_000, intervals: [1000] }
    )
    .toBe(true);
  expect(latest.error).toBeNull();
  return operation.target as string;
}

/**
 * Start, from the Train command's dialog, a job named `displayName` whose
 * script (written to `script`) prints a step every half second, `steps`
 * times: a job that stays running for the test.
 */
export async function trainSlowJob(
  page: IJupyterLabPageFixture,
  script: string,
  steps: number,
  displayName: string
): Promise<void> {
  await page.contents.uploadContent(
    [
      'import time',
      `for step in range(${steps}):`,
      '    print(f"step {step}", flush=True)',
      '    time.sleep(0.5)',
      ''
    ].join('\n'),
    'text',
    script
  );
  await page.sidebar.openTab(PANEL_ID);
  await page.evaluate(async path => {
    void window.jupyterapp.commands.execute('jupyter-vertex:train', {
      path
    });
  }, script);
  const dialog = page.locator('.jp-Dialog');
  await dialog.getByLabel('Display name').fill(displayName);
  await dialog.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(dialog).toHaveCount(0);
}

/**
 * Open the Train dialog on `script` from the file browser's context menu
 * (in the home folder).
 */
export async function trainFromFileBrowser(
  page: IJupyterLabPageFixture,
  script: string
): Promise<void> {
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.openHomeDirectory();
  await page
    .locator('.jp-DirListing-item')
    .filter({ hasText: script })
    .click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Train on Vertex' }).click();
}

/**
 * Open the job named `displayName` from the panel's Jobs list and answer its
 * detail view's root (`.jp-Vertex-JobDetail`); select inside it. (Engineer
 * "tabs" makes this open the job's main-area tab.)
 */
export async function openJob(
  page: IJupyterLabPageFixture,
  displayName: string
): Promise<Locator> {
  await page.sidebar.openTab(PANEL_ID);
  const panel = page.locator(`#${PANEL_ID}`);
  const row = panel
    .getByRole('region', { name: 'Jobs' })
    .locator('.jp-Vertex-JobRow')
    .filter({ hasText: displayName });
  await row.first().click();
  const detail = panel.locator('.jp-Vertex-JobDetail');
  await expect(detail).toBeVisible();
  return detail;
}
