import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PANEL_ID, SCREENSHOTS, trainFromFileBrowser } from './helpers';

/**
 * The full Train dialog against the real server extension and its embedded
 * Vertex: only valid accelerators for the machine type, the file's git state,
 * the SDK code before submitting, args/env/model registration; then the job
 * runs to SUCCEEDED, the Jobs filters find it, and it is deleted from the list.
 */

const SCRIPT = 'train_digits.py';
const JOB_NAME = 'digits-full-dialog';
const MODEL_NAME = 'digits-full-dialog-model';

/**
 * The git state the server should report for the notebook root (the UI
 * tests' root lives inside this repository's checkout).
 */
function gitState(folder: string): { commit: string; dirty: boolean } {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', folder, ...args], {
      encoding: 'utf-8',
      env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' }
    }).trim();
  return {
    commit: git('rev-parse', '--short', 'HEAD').toLowerCase(),
    dirty: git('status', '--porcelain', '--untracked-files=normal') !== ''
  };
}

async function optionTexts(
  select: ReturnType<IJupyterLabPageFixture['locator']>
): Promise<string[]> {
  return (await select.locator('option').allTextContents()).map(t => t.trim());
}

async function screenshotDialog(page: IJupyterLabPageFixture, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await page
    .locator('.jp-Dialog-content')
    .screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

test.describe('The Train dialog', () => {
  test('train with the full dialog, then filter and delete the job', async ({
    page
  }) => {
    test.setTimeout(420_000);

    // The git state of the file, as git itself says it. (Other people may
    // commit meanwhile on a shared checkout: any HEAD seen during the test.)
    const rootDir =
      process.env.JUPYTER_VERTEX_UI_DATA !== undefined
        ? path.join(process.env.JUPYTER_VERTEX_UI_DATA, 'root')
        : path.resolve(__dirname, '..', '.jupyter-data', 'root');
    const heads = new Set<string>();
    const before = gitState(rootDir);
    heads.add(before.commit);

    await trainFromFileBrowser(page, SCRIPT);

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(`Train ${SCRIPT} on Vertex AI.`);

    const gitBox = dialog.getByRole('status', { name: 'Git state' });
    await expect(gitBox).toContainText(/Commit [0-9a-f]{7,} on branch \S+/);
    const shown = /Commit ([0-9a-f]+)/.exec((await gitBox.textContent())!)![1];
    heads.add(gitState(rootDir).commit);
    expect([...heads]).toContain(shown);
    if (before.dirty) {
      await expect(gitBox).toContainText(
        `Uncommitted changes: the job runs the files as they are now, not as in commit ${shown}.`
      );
    } else {
      await expect(gitBox).not.toContainText('Uncommitted changes');
    }

    const machine = dialog.getByLabel('Machine type');
    const accelerator = dialog.getByLabel('Accelerator', { exact: true });
    const count = dialog.getByLabel('Accelerator count');
    await expect(machine).toHaveValue('n1-standard-4');
    // scikit-learn has no GPU image: no accelerator, no GPU machine types.
    await expect(accelerator).toBeDisabled();
    expect(await optionTexts(accelerator)).toEqual(['None']);
    expect(await optionTexts(machine)).not.toContain('a2-highgpu-1g');

    // TensorFlow has GPU images: the accelerators follow the machine type.
    await dialog
      .getByLabel('Framework', { exact: true })
      .selectOption('tensorflow');
    await expect(accelerator).toBeEnabled();
    expect(await optionTexts(accelerator)).toEqual([
      'None',
      'NVIDIA T4',
      'NVIDIA V100',
      'NVIDIA P100',
      'NVIDIA P4'
    ]);
    await machine.selectOption('e2-standard-8');
    await expect(accelerator).toBeDisabled();
    expect(await optionTexts(accelerator)).toEqual(['None']);
    await machine.selectOption('a2-highgpu-2g');
    await expect(accelerator).toHaveValue('NVIDIA_TESLA_A100');
    expect(await optionTexts(accelerator)).toEqual(['NVIDIA A100 40GB']);
    expect(await optionTexts(count)).toEqual(['2']);
    await machine.selectOption('g2-standard-24');
    expect(await optionTexts(accelerator)).toEqual(['NVIDIA L4']);
    await expect(count).toHaveValue('2');

    // Back to what runs here: scikit-learn on a CPU machine.
    await dialog
      .getByLabel('Framework', { exact: true })
      .selectOption('scikit-learn');
    await machine.selectOption('n1-standard-4');
    await expect(accelerator).toHaveValue('');

    await dialog.getByLabel('Display name').fill(JOB_NAME);
    await dialog
      .getByLabel('Arguments (one per line)')
      .fill('--max-iter\n300\n--seed\n3');
    await dialog.getByRole('button', { name: 'Add variable' }).click();
    await dialog.getByLabel('Variable 1: name').fill('DIGITS_RUN');
    await dialog.getByLabel('Variable 1: value').fill('from-the-dialog');
    await dialog.getByLabel('Register the trained model').check();
    await expect(dialog.getByLabel('Serving container')).toHaveValue(
      'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest'
    );
    await dialog.getByLabel('Model name').fill(MODEL_NAME);
    await dialog.getByRole('button', { name: 'Add label' }).click();
    await dialog.getByLabel('Label 1: name').fill('team');
    await dialog.getByLabel('Label 1: value').fill('digits');

    // A bad label is refused at its field before anything is sent.
    await dialog.getByLabel('Label 1: value').fill('Not OK');
    await dialog.getByRole('button', { name: 'Train', exact: true }).click();
    const labels = dialog.getByRole('group', { name: 'Job labels' });
    await expect(labels).toHaveAttribute('aria-invalid', 'true');
    await expect(labels.locator('.jp-Vertex-fieldError')).toHaveText(
      'Label value "Not OK": lowercase letters, digits, _ and -, at most 63.'
    );
    await dialog.getByLabel('Label 1: value').fill('digits');
    await expect(labels).not.toHaveAttribute('aria-invalid', 'true');

    // The SDK code, before submitting.
    await dialog.getByRole('button', { name: 'Show SDK code' }).click();
    const code = dialog.getByLabel('Equivalent Python SDK code');
    await expect(code).toContainText('job = aiplatform.CustomTrainingJob(');
    await expect(code).toContainText(`display_name='${JOB_NAME}',`);
    await expect(code).toContainText(`script_path='${SCRIPT}',`);
    await expect(code).toContainText(`model_display_name='${MODEL_NAME}',`);
    await expect(code).toContainText(
      "args=['--max-iter', '300', '--seed', '3'],"
    );
    await expect(code).toContainText(
      "environment_variables={'DIGITS_RUN': 'from-the-dialog'},"
    );
    await expect(code).toContainText(/'git-commit': '[0-9a-f]{7,}'/);

    // Tall enough for the whole dialog, code included, in the screenshots.
    await page.setViewportSize({ width: 1280, height: 2000 });
    await screenshotDialog(page, 'train-dialog-light');
    await page.theme.setDarkTheme();
    await expect(code).toBeVisible();
    await screenshotDialog(page, 'train-dialog-dark');
    await page.theme.setLightTheme();
    await page.setViewportSize({ width: 1280, height: 800 });

    await dialog.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(dialog).toHaveCount(0, { timeout: 60_000 });
    await expect(
      page.locator('.jp-Notification-Toast-success').first()
    ).toContainText(`Training "${JOB_NAME}" started`);

    // The job runs to SUCCEEDED with the dialog's args, env and labels.
    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    const jobs = panel.getByRole('region', { name: 'Jobs', exact: true });
    const row = jobs
      .locator('[data-job-kind="trainingPipeline"]')
      .filter({ hasText: JOB_NAME });
    await expect(row).toBeVisible();
    await expect(row.locator('.jp-Vertex-state')).toHaveText('Succeeded', {
      timeout: 300_000
    });
    heads.add(gitState(rootDir).commit);
    const labelled = (await row.locator('.jp-Vertex-commit').textContent())!;
    expect([...heads].map(c => (before.dirty ? `${c}*` : c))).toContain(
      labelled
    );
    await page.mouse.move(0, 0);
    await panel.screenshot({
      path: path.join(SCREENSHOTS, 'train-jobs-light.png')
    });
    const jobId = await row.getAttribute('data-job-id');
    expect(jobId).toMatch(/^\d+$/);
    const job = await page.evaluate(async id => {
      const base = window.jupyterapp.serviceManager.serverSettings.baseUrl;
      const response = await fetch(
        `${base}jupyter-vertex/api/jobs/trainingPipeline/${id}`
      );
      return response.json();
    }, jobId);
    expect(job.spec.args).toEqual(['--max-iter', '300', '--seed', '3']);
    expect(job.spec.env).toEqual({ DIGITS_RUN: 'from-the-dialog' });
    expect(job.labels.team).toBe('digits');
    expect(job.model.displayName).toBe(MODEL_NAME);

    // Filters: the server lists only what matches.
    await jobs.getByLabel('Filter jobs by state').selectOption('FAILED');
    await expect(row).toHaveCount(0);
    await expect(jobs).toContainText('No jobs match these filters.');
    await jobs.getByLabel('Filter jobs by state').selectOption('SUCCEEDED');
    await jobs
      .getByLabel('Filter jobs by kind')
      .selectOption('trainingPipeline');
    await expect(row).toBeVisible();
    await expect(
      jobs.locator('.jp-Vertex-JobRow[data-job-kind="customJob"]')
    ).toHaveCount(0);
    await jobs.getByLabel('Filter jobs by kind').selectOption('');
    await jobs.getByLabel('Filter jobs by state').selectOption('');

    // Delete it from the list, after confirming.
    await row.getByRole('button', { name: `Delete job ${JOB_NAME}` }).click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText(
      `Delete the training pipeline "${JOB_NAME}" and the custom job it ran?`
    );
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(
      page.locator('.jp-Notification-Toast-success').filter({
        hasText: `Deleted job "${JOB_NAME}".`
      })
    ).toBeVisible();
    await expect(
      jobs.locator('.jp-Vertex-JobRow').filter({ hasText: JOB_NAME })
    ).toHaveCount(0);
  });
});
