import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { openJob, PANEL_ID, SCREENSHOTS } from './helpers';

/**
 * Provenance in the UI: a job registers a model from a committed script; the
 * job links to the model version, the model names the job and the commit and
 * links back, its artifacts open in the file browser, and the job re-runs
 * from the commit (not from the edited working copy).
 */

// The notebook root of the test server (see jupyter_server_test_config.py).
const DATA = path.resolve(
  process.env.JUPYTER_VERTEX_UI_DATA ||
    path.join(__dirname, '..', '.jupyter-data')
);
const ROOT = path.join(DATA, 'root');
const SKLEARN_SERVING =
  'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest';
const JOB = 'prov-train';

function script(version: string): string {
  return [
    'import os',
    'import joblib',
    'from google.cloud import storage',
    'from sklearn.dummy import DummyClassifier',
    `print("VERSION ${version}", flush=True)`,
    'model = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [1, 1])',
    'joblib.dump(model, "model.joblib")',
    'bucket, _, prefix = os.environ["AIP_MODEL_DIR"][5:].partition("/")',
    'client = storage.Client(project=os.environ.get("CLOUD_ML_PROJECT_ID"))',
    'blob = client.bucket(bucket).blob(prefix.rstrip("/") + "/model.joblib")',
    'blob.upload_from_filename("model.joblib")',
    ''
  ].join('\n');
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf-8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1'
    }
  }).trim();
}

async function shot(page: IJupyterLabPageFixture, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

test('a model names its job and commit, links both ways, opens its artifacts and re-runs from the commit', async ({
  page
}) => {
  test.setTimeout(480_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const folder = path.join(ROOT, 'prov');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'train_prov.py'), script('committed'));
  git(folder, 'init', '-q', '-b', 'main');
  git(folder, 'add', '.');
  git(folder, 'commit', '-q', '-m', 'train');
  const sha = git(folder, 'rev-parse', '--short', 'HEAD');

  const created = await page.request.post('jupyter-vertex/api/jobs', {
    data: {
      path: 'prov/train_prov.py',
      displayName: JOB,
      framework: 'scikit-learn',
      registerModel: { servingContainerImageUri: SKLEARN_SERVING }
    }
  });
  expect(created.status()).toBe(201);
  const job = await created.json();
  await expect
    .poll(
      async () => {
        const answer = await page.request.get(
          `jupyter-vertex/api/jobs/trainingPipeline/${job.id}`
        );
        return (await answer.json()).state;
      },
      { timeout: 300_000, intervals: [2000] }
    )
    .toBe('SUCCEEDED');

  // The job links to the model version it registered.
  const jobDetail = await openJob(page, JOB);
  const modelLink = jobDetail.getByRole('button', {
    name: /^Open model \d+@1$/
  });
  await expect(modelLink).toBeVisible();
  await modelLink.click();
  const model = page.locator('.jp-Vertex-ModelDetail');
  await expect(model).toBeVisible();
  await expect(model.getByTestId('model-provenance')).toHaveText(
    `Trained by ${JOB} from ${sha} on main (clean)`
  );
  await shot(page, 'provenance-model-light');
  await page.theme.setDarkTheme();
  await expect(model.getByTestId('model-provenance')).toBeVisible();
  await shot(page, 'provenance-model-dark');
  await page.theme.setLightTheme();

  // Its artifacts open in the file browser, copied into the root.
  await model
    .getByRole('button', { name: /^Open gs:\/\/\S+ in JupyterLab$/ })
    .click();
  await expect
    .poll(() => page.filebrowser.isFileListedInBrowser('model.joblib'))
    .toBe(true);
  expect(fs.existsSync(path.join(ROOT, 'vertex-artifacts'))).toBe(true);

  // The model links back to its job.
  await page.sidebar.openTab(PANEL_ID);
  await model.getByRole('button', { name: `Open job ${JOB}` }).click();
  const back = page.locator('.jp-Vertex-JobDetail');
  await expect(back.getByRole('heading', { name: JOB })).toBeVisible();

  // Re-run from the commit, with the working copy edited since.
  fs.writeFileSync(path.join(folder, 'train_prov.py'), script('edited'));
  await back.getByRole('button', { name: `Re-run from ${sha}` }).click();
  const confirm = page.locator('.jp-Dialog');
  await confirm.getByRole('button', { name: 'Re-run', exact: true }).click();
  const rerun = page.locator('.jp-Vertex-JobDetail');
  await expect(
    rerun.getByRole('heading', { name: `${JOB}-rerun` })
  ).toBeVisible();
  await expect(rerun.getByRole('log')).toContainText('VERSION committed', {
    timeout: 300_000
  });
  await expect(rerun.getByRole('log')).not.toContainText('VERSION edited');
  await shot(page, 'provenance-rerun-light');
});
