import { expect, test } from '@jupyterlab/galata';
import { openEndpoint, PANEL_ID } from './helpers';

/**
 * JupyterLab stays light (issue 17, point 5): the heavy parts of the
 * extension's bundle are not fetched with JupyterLab's page, only when first
 * shown — Chart.js with an endpoint's metrics, dagre with a pipeline run's
 * DAG. A behaviour test on the chunks the browser asks for, not a timing
 * test. Against the real server extension and its embedded Vertex.
 */

const ENDPOINT = 'lazy-charts-endpoint';
const FILE = 'lazy_pipeline.py';

// One task: enough for a DAG; no pip step (the embedded Vertex has kfp).
const PIPELINE = `from kfp import dsl


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def hello(name: str) -> str:
    return f"hello {name}"


@dsl.pipeline(name="lazy-pipeline")
def lazy(name: str = "dag") -> None:
    hello(name=name)
`;

// The extension's chunks (jupyter_vertex/labextension/static/): its entry,
// then the heavy ones with their vendor code.
const STATIC = '/lab/extensions/jupyter-vertex/static/';
const ENTRY = /^lib_index_js\.[0-9a-f]+\.js$/;
const CHARTS =
  /^(vendors-.*chart_js|lib_components_chartjs_js)\.[0-9a-f]+\.js$/;
const DAGRE =
  /^(vendors-.*dagre.*|lib_views_pipelineLayout_js)\.[0-9a-f]+\.js$/;

test('charts and graph layout are fetched when first shown, not with the page', async ({
  page
}) => {
  const fetched: string[] = [];
  page.on('request', request => {
    const url = new URL(request.url());
    if (url.pathname.startsWith(STATIC)) {
      fetched.push(url.pathname.slice(STATIC.length));
    }
  });
  const named = (pattern: RegExp) => fetched.filter(name => pattern.test(name));

  // An idle page, with the Vertex panel open: the entry only.
  await page.reload();
  await page.sidebar.openTab(PANEL_ID);
  await page.waitForLoadState('networkidle');
  expect(named(ENTRY)).toHaveLength(1);
  expect(named(CHARTS)).toEqual([]);
  expect(named(DAGRE)).toEqual([]);

  // An endpoint's tab shows its metrics: Chart.js comes, dagre does not.
  const created = await page.request.post('jupyter-vertex/api/endpoints', {
    data: { displayName: ENDPOINT }
  });
  expect(created.status()).toBe(201);
  const endpointId = (await created.json()).id as string;
  const endpoint = await openEndpoint(page, ENDPOINT);
  await expect(endpoint.locator('.jp-Vertex-MetricsEmpty')).toBeVisible({
    timeout: 60_000
  });
  await expect.poll(() => named(CHARTS).length).toBe(2);
  expect(named(DAGRE)).toEqual([]);

  // A pipeline run's tab shows its DAG: dagre comes.
  await page.contents.uploadContent(PIPELINE, 'text', FILE);
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.openHomeDirectory();
  await page
    .locator('.jp-DirListing-item')
    .filter({ hasText: FILE })
    .click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Run as Pipeline' }).click();
  const dialog = page.locator('.jp-Dialog');
  await expect(
    dialog.getByText('Run "lazy-pipeline" as a pipeline')
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  const view = page.locator('.jp-Vertex-PipelineJobDetail');
  await expect(
    view.locator('.jp-Vertex-dagNode[data-node="hello"]')
  ).toBeVisible();
  expect(named(DAGRE)).toHaveLength(2);
  // Each chunk once: a second view reuses the loaded module.
  expect(named(CHARTS)).toHaveLength(2);

  // The run ends before the next spec (it shares the embedded Vertex).
  await expect(
    view.locator('.jp-Vertex-dagNode[data-node="hello"]')
  ).toHaveAttribute('data-state', 'SUCCEEDED', { timeout: 60_000 });
  const deleted = await page.request.delete(
    `jupyter-vertex/api/endpoints/${endpointId}`
  );
  expect(deleted.ok()).toBe(true);
});
