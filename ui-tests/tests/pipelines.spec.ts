import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';
import { DOC_SCREENSHOTS, PANEL_ID } from './helpers';

/**
 * Run as Pipeline from the file browser against the real server extension
 * and its embedded Vertex (kfp.local): a `.py` defining a `@dsl.pipeline`,
 * the form generated from its parameters, the run's DAG laid out in its tab
 * and followed until every task is green, a task's output on click.
 */

const FILE = 'tiny_pipeline.py';

// No pip step per task: the embedded Vertex's Python has kfp.
const PIPELINE = `from kfp import dsl


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def add(a: int, b: int) -> int:
    return a + b


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def double(x: int) -> int:
    return 2 * x


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def describe(total: int, doubled: int, label: str) -> str:
    return f"{label}: {total} -> {doubled}"


@dsl.pipeline(name="tiny-pipeline")
def tiny(a: int, b: int = 2, label: str = "sum") -> None:
    total = add(a=a, b=b)
    doubled = double(x=total.output)
    describe(total=total.output, doubled=doubled.output, label=label)
`;

test.use({ viewport: { width: 1440, height: 900 } });

test('Run as Pipeline: the DAG goes green and a task shows its output', async ({
  page
}) => {
  await page.contents.uploadContent(PIPELINE, 'text', FILE);
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.openHomeDirectory();
  await page
    .locator('.jp-DirListing-item')
    .filter({ hasText: FILE })
    .click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Run as Pipeline' }).click();

  // The form comes from the pipeline's parameters (kfp compiled the file).
  const dialog = page.locator('.jp-Dialog');
  await expect(
    dialog.getByText('Run "tiny-pipeline" as a pipeline')
  ).toBeVisible();
  await expect(dialog.getByLabel('b', { exact: true })).toHaveValue('2');
  await expect(dialog.getByLabel('label', { exact: true })).toHaveValue('sum');
  await expect(dialog.getByText('integer, required')).toBeVisible();
  await dialog.getByLabel('a', { exact: true }).fill('5');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();

  // The run opens in its tab; every task ends Succeeded.
  const view = page.locator('.jp-Vertex-PipelineJobDetail');
  await expect(view).toBeVisible();
  const nodes = view.locator('.jp-Vertex-dagNode');
  await expect(nodes).toHaveCount(3);
  await expect(view.locator('.jp-Vertex-dagEdge')).toHaveCount(3);
  for (const task of ['add', 'double', 'describe']) {
    await expect(
      view.locator(`.jp-Vertex-dagNode[data-node="${task}"]`)
    ).toHaveAttribute('data-state', 'SUCCEEDED', { timeout: 60_000 });
  }
  await expect(view.locator('.jp-Vertex-JobDetail-header')).toContainText(
    'Succeeded'
  );
  await view.getByRole('button', { name: 'Task describe, Succeeded' }).click();
  const panel = view.getByRole('region', { name: 'Task describe' });
  await expect(panel).toContainText('"sum: 7 -> 14"');

  // The Pipelines list shows the run.
  await page.sidebar.openTab(PANEL_ID);
  await expect(
    page.locator(`#${PANEL_ID} .jp-Vertex-PipelineJobRow`).first()
  ).toContainText('tiny-pipeline');
  await page.screenshot({
    path: path.join(DOC_SCREENSHOTS, 'tab-pipeline-light.png')
  });
});
