import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';
import { notebookJSON, PANEL_ID, SCREENSHOTS } from './helpers';

/**
 * A schedule made with the SDK in a notebook (`create_schedule`) shows in the
 * sidebar's Schedules section, and is paused and resumed from its row.
 */

const PIPELINE = `from kfp import dsl


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def hello(name: str) -> str:
    return f"hello {name}"


@dsl.pipeline(name="weekly-hello")
def weekly(name: str = "you") -> None:
    hello(name=name)
`;

const CELLS = [
  `import jupyter_vertex.emulator as vertex
vertex.init()`,
  `import sys
from google.cloud import aiplatform
from kfp import compiler
sys.path.insert(0, ".")
import weekly_hello
compiler.Compiler().compile(weekly_hello.weekly, "weekly_hello.yaml")
job = aiplatform.PipelineJob(display_name="weekly-hello", template_path="weekly_hello.yaml")
schedule = job.create_schedule(cron="TZ=Europe/Paris 0 9 * * 1", display_name="weekly-hello")
print("SCHEDULE", schedule.resource_name.rsplit("/", 1)[-1])`
];

test.use({ viewport: { width: 1440, height: 900 } });

test('a schedule made with the SDK is listed, paused and resumed', async ({
  page
}) => {
  await page.contents.uploadContent(PIPELINE, 'text', 'weekly_hello.py');
  await page.contents.uploadContent(
    notebookJSON(CELLS),
    'text',
    'schedule.ipynb'
  );
  await page.filebrowser.openHomeDirectory();
  expect(await page.notebook.openByPath('schedule.ipynb')).toBe(true);
  await page.notebook.activate('schedule.ipynb');
  await page.notebook.runCell(0);
  await page.notebook.runCell(1);
  const output = (await page.notebook.getCellTextOutput(1))?.join('') ?? '';
  const match = /SCHEDULE (\d+)/.exec(output);
  expect(match, `the cell printed: ${output}`).not.toBeNull();
  const scheduleId = match![1];
  await page.notebook.close(true);

  await page.sidebar.openTab(PANEL_ID);
  await page.getByRole('button', { name: 'Refresh all' }).click();
  const row = page.locator(
    `#${PANEL_ID} .jp-Vertex-PipelineScheduleRow[data-schedule-id="${scheduleId}"]`
  );
  await expect(row).toContainText('weekly-hello');
  await expect(row).toContainText('TZ=Europe/Paris 0 9 * * 1');
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: 'Pause' }).click();
  await expect(row).toContainText('Paused');
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: path.join(SCREENSHOTS, 'schedules', 'paused.png')
  });
  await row.getByRole('button', { name: 'Resume' }).click();
  await expect(row).toContainText('Active');

  // The specs share one server: the schedule goes (its section with it).
  const deleted = await page.request.delete(
    `jupyter-vertex/api/pipelineSchedules/${scheduleId}`
  );
  expect(deleted.status()).toBe(204);
  await page.getByRole('button', { name: 'Refresh all' }).click();
  await expect(row).toHaveCount(0);
  for (const file of [
    'schedule.ipynb',
    'weekly_hello.py',
    'weekly_hello.yaml'
  ]) {
    await page.contents.deleteFile(file);
  }
});
