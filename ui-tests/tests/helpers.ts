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
 * Undeploy every model of an endpoint and delete it, through the extension's
 * API, so that the specs after this one find nothing running and no endpoint
 * of this one.
 */
export async function removeEndpoint(
  request: APIRequestContext,
  endpointId: string
): Promise<void> {
  const endpoint = await (
    await request.get(`jupyter-vertex/api/endpoints/${endpointId}`)
  ).json();
  for (const deployed of endpoint.deployedModels ?? []) {
    const started = await request.delete(
      `jupyter-vertex/api/endpoints/${endpointId}/deployedModels/${deployed.id}`
    );
    expect(started.status()).toBe(202);
    const operation = await started.json();
    await expect
      .poll(
        async () => {
          const answer = await request.get(
            `jupyter-vertex/api/operations?name=${encodeURIComponent(operation.name)}`
          );
          return (await answer.json()).done;
        },
        { timeout: 60_000, intervals: [500] }
      )
      .toBe(true);
  }
  const deleted = await request.delete(
    `jupyter-vertex/api/endpoints/${endpointId}`
  );
  expect(deleted.ok()).toBe(true);
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
 * Where a job, model, endpoint or instance opens: its main-area tab
 * (src/tabs). Specs navigate only through these helpers and select inside
 * the detail view they return.
 */
type TabKind = 'job' | 'model' | 'endpoint' | 'instance';

const ROWS: Record<TabKind, { row: string; id: string; view: string }> = {
  job: {
    row: '.jp-Vertex-JobRow',
    id: 'data-job-id',
    view: 'jp-Vertex-JobDetail'
  },
  model: {
    row: '.jp-Vertex-ModelRow',
    id: 'data-model-id',
    view: 'jp-Vertex-ModelDetail'
  },
  endpoint: {
    row: '.jp-Vertex-EndpointRow',
    id: 'data-endpoint-id',
    view: 'jp-Vertex-EndpointDetail'
  },
  instance: {
    row: '.jp-Vertex-InstanceRow',
    id: 'data-instance-id',
    view: 'jp-Vertex-InstanceDetail'
  }
};

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * The sidebar row of the item named `displayName` (exactly; an instance by
 * its id).
 */
export function sidebarRow(
  page: IJupyterLabPageFixture,
  kind: TabKind,
  displayName: string
): Locator {
  return page.locator(`#${PANEL_ID} ${ROWS[kind].row}`).filter({
    has: page.locator('.jp-Vertex-row-name', {
      hasText: exactly(displayName)
    })
  });
}

/**
 * The tab id of a resource, as src/tabs/resources.ts makes it.
 */
export function tabId(kind: TabKind, id: string, jobKind?: string): string {
  const escaped = id.replace(/[^A-Za-z0-9_-]/g, c => `_${c.charCodeAt(0)}`);
  return ['jp-vertex-tab', kind, ...(jobKind ? [jobKind] : []), escaped].join(
    '-'
  );
}

/**
 * The detail view in the tab of a resource (open or not).
 */
export function tabView(
  page: IJupyterLabPageFixture,
  kind: TabKind,
  id: string,
  jobKind?: string
): Locator {
  return page.locator(`#${tabId(kind, id, jobKind)} .${ROWS[kind].view}`);
}

async function openTab(
  page: IJupyterLabPageFixture,
  kind: TabKind,
  displayName: string
): Promise<Locator> {
  await page.sidebar.openTab(PANEL_ID);
  // Lists show the newest first: the latest of several same-named jobs.
  const row = sidebarRow(page, kind, displayName).first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  const id = (await row.getAttribute(ROWS[kind].id)) ?? '';
  const jobKind =
    kind === 'job'
      ? ((await row.getAttribute('data-job-kind')) ?? undefined)
      : undefined;
  if (kind === 'instance') {
    await row.locator('.jp-Vertex-row-name').click();
  } else {
    await row.click();
  }
  const view = tabView(page, kind, id, jobKind);
  await expect(view).toBeVisible();
  return view;
}

/**
 * Open a job's tab from its row in the sidebar; returns its detail view.
 */
export function openJob(
  page: IJupyterLabPageFixture,
  displayName: string
): Promise<Locator> {
  return openTab(page, 'job', displayName);
}

export function openModel(
  page: IJupyterLabPageFixture,
  displayName: string
): Promise<Locator> {
  return openTab(page, 'model', displayName);
}

export function openEndpoint(
  page: IJupyterLabPageFixture,
  displayName: string
): Promise<Locator> {
  return openTab(page, 'endpoint', displayName);
}

/**
 * Open a Workbench instance's tab (instances are named by their id).
 */
export function openInstance(
  page: IJupyterLabPageFixture,
  displayName: string
): Promise<Locator> {
  return openTab(page, 'instance', displayName);
}

/**
 * A screenshot of the whole page for the docs (docs/screenshots/).
 */
export const DOC_SCREENSHOTS = path.resolve(
  __dirname,
  '..',
  '..',
  'docs',
  'screenshots'
);
