import { nullTranslator } from '@jupyterlab/translation';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';
import { VertexClient } from '../../api/client';
import { LogFollower } from '../../model/logs';
import { VertexModel } from '../../model/VertexModel';
import { VertexAPIError } from '../../api/request';
import { trainablePath } from '../../dialogs/train/trainFile';
import { IJobLogs, ILogEntry } from '../../api/types';
import { VertexPanelView } from '../../panel/Panel';
import {
  defaultTrainForm,
  trainingRequest
} from '../../dialogs/train/TrainDialog';
import { formatElapsed, jobElapsed } from '../../components/format';
import {
  FakeAPI,
  fakeServer,
  jsonResponse,
  LOCAL_STATUS,
  makeJob,
  pathOf
} from '../../__tests__/fakes';

const trans = nullTranslator.load('jupyter_vertex');
const BASE = '/lab-base/jupyter-vertex/api/';

function entry(n: number): ILogEntry {
  return {
    timestamp: `2024-05-01T09:00:${String(n).padStart(2, '0')}Z`,
    insertId: `id-${n}`,
    severity: 'INFO',
    replica: 'workerpool0-0',
    message: `line ${n}`
  };
}

describe('jobs API', () => {
  it('lists jobs with kind and state filters and paging', async () => {
    const { settings, fetch } = fakeServer(() =>
      jsonResponse({ jobs: [makeJob()], nextPageToken: null })
    );
    const client = new VertexClient({ serverSettings: settings });
    const page = await client.listJobs({
      kind: 'trainingPipeline',
      state: 'RUNNING',
      pageSize: 20,
      pageToken: 'tok'
    });
    expect(page.jobs).toHaveLength(1);
    expect(page.nextPageToken).toBeUndefined();
    const url = new URL(pathOf(fetch.mock.calls[0][0]), 'http://localhost');
    expect(url.pathname).toBe(BASE + 'jobs');
    expect(url.searchParams.get('kind')).toBe('trainingPipeline');
    expect(url.searchParams.get('state')).toBe('RUNNING');
    expect(url.searchParams.get('pageSize')).toBe('20');
    expect(url.searchParams.get('pageToken')).toBe('tok');
  });

  it('creates, gets, cancels and deletes a job, reads its logs and code', async () => {
    const { settings, fetch } = fakeServer(request => {
      if (request.method === 'DELETE') {
        return new Response(null, { status: 204 });
      }
      if (request.url.includes('/logs')) {
        return jsonResponse({ entries: [], cursor: 'c2', state: 'RUNNING' });
      }
      if (request.url.includes('/code')) {
        return jsonResponse({ language: 'python', code: 'job.run()' });
      }
      return jsonResponse(makeJob(), request.method === 'POST' ? 201 : 200);
    });
    const client = new VertexClient({ serverSettings: settings });
    await client.createJob({ path: 'train_digits.py', replicaCount: 2 });
    const post = fetch.mock.calls[0][0] as Request;
    expect(post.method).toBe('POST');
    expect(pathOf(post)).toBe(BASE + 'jobs');
    expect(await post.json()).toEqual({
      path: 'train_digits.py',
      replicaCount: 2
    });

    await client.getJob('customJob', '42');
    expect(pathOf(fetch.mock.calls[1][0])).toBe(BASE + 'jobs/customJob/42');
    await client.cancelJob('trainingPipeline', '7');
    expect(fetch.mock.calls[2][0].method).toBe('POST');
    expect(pathOf(fetch.mock.calls[2][0])).toBe(
      BASE + 'jobs/trainingPipeline/7/cancel'
    );
    await expect(client.deleteJob('customJob', '42')).resolves.toBeUndefined();
    expect(fetch.mock.calls[3][0].method).toBe('DELETE');

    const logs = await client.jobLogs('customJob', '42', {
      cursor: 'c1',
      pageSize: 100
    });
    expect(logs.cursor).toBe('c2');
    const url = new URL(pathOf(fetch.mock.calls[4][0]), 'http://localhost');
    expect(url.pathname).toBe(BASE + 'jobs/customJob/42/logs');
    expect(url.searchParams.get('cursor')).toBe('c1');
    expect(url.searchParams.get('pageSize')).toBe('100');

    await client.jobLogs('customJob', '42');
    expect(pathOf(fetch.mock.calls[5][0])).toBe(
      BASE + 'jobs/customJob/42/logs'
    );
    await expect(client.jobCode('customJob', '42')).resolves.toEqual({
      language: 'python',
      code: 'job.run()'
    });
  });

  it("rejects with the server's message and hint", async () => {
    const { settings } = fakeServer(() =>
      jsonResponse(
        {
          message: "Field 'path': no such file.",
          reason: 'NOT_FOUND',
          hint: 'Pick a file in the file browser.'
        },
        404
      )
    );
    const client = new VertexClient({ serverSettings: settings });
    const error = await client
      .createJob({ path: 'missing.py' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VertexAPIError);
    expect((error as VertexAPIError).message).toBe(
      "Field 'path': no such file."
    );
    expect((error as VertexAPIError).hint).toBe(
      'Pick a file in the file browser.'
    );
  });
});

describe('LogFollower', () => {
  it('passes the cursor back and stops once the job ended', async () => {
    const api = new FakeAPI();
    const pages: IJobLogs[] = [
      { entries: [entry(1), entry(2)], cursor: 'c2', state: 'RUNNING' },
      { entries: [], cursor: 'c2', state: 'RUNNING' },
      { entries: [entry(3)], cursor: 'c3', state: 'SUCCEEDED' }
    ];
    api.logPages = pages;
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '111',
      interval: 1
    });
    await follower.start();
    expect(follower.done).toBe(true);
    expect(follower.entries.map(e => e.message)).toEqual([
      'line 1',
      'line 2',
      'line 3'
    ]);
    const cursors = api.jobLogs.mock.calls.map(call => call[2]?.cursor);
    expect(cursors).toEqual([null, 'c2', 'c2']);
    expect(api.jobLogs).toHaveBeenCalledTimes(3);
    expect(follower.state).toBe('SUCCEEDED');
    expect(await follower.step()).toBe(false);
    expect(api.jobLogs).toHaveBeenCalledTimes(3);
  });

  it('reads on at once while pages are full, even after the job ended', async () => {
    const api = new FakeAPI();
    api.logPages = [
      { entries: [entry(1), entry(2)], cursor: 'c2', state: 'SUCCEEDED' },
      { entries: [entry(3)], cursor: 'c3', state: 'SUCCEEDED' }
    ];
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '111',
      pageSize: 2,
      interval: 60_000
    });
    await follower.start(); // would hang on the 60 s wait if it waited
    expect(follower.entries).toHaveLength(3);
    expect(api.jobLogs.mock.calls[1][2]?.cursor).toBe('c2');
  });

  it('keeps following after an error and stops when asked', async () => {
    const api = new FakeAPI();
    api.jobLogs.mockImplementationOnce(async () => {
      throw new VertexAPIError({ message: 'down', reason: 'UNAVAILABLE' });
    });
    api.logPages = [{ entries: [entry(1)], cursor: 'c1', state: 'RUNNING' }];
    const follower = new LogFollower({ api, kind: 'customJob', jobId: '1' });
    expect(await follower.step()).toBe(true);
    expect(follower.error?.reason).toBe('UNAVAILABLE');
    expect(await follower.step()).toBe(true);
    expect(follower.error).toBeNull();
    expect(follower.cursor).toBe('c1');
    follower.stop();
    expect(await follower.step()).toBe(false);
  });

  it('pauses while the log is not shown', async () => {
    const api = new FakeAPI();
    api.logPages = [{ entries: [entry(1)], cursor: 'c1', state: 'SUCCEEDED' }];
    let active = false;
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '1',
      interval: 5,
      isActive: () => active
    });
    const done = follower.start();
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(api.jobLogs).not.toHaveBeenCalled();
    active = true;
    await done;
    expect(api.jobLogs).toHaveBeenCalledTimes(1);
    expect(follower.entries).toHaveLength(1);
  });

  it('keeps at most maxLines lines', async () => {
    const api = new FakeAPI();
    api.logPages = [
      {
        entries: [entry(1), entry(2), entry(3)],
        cursor: 'c3',
        state: 'FAILED'
      }
    ];
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '1',
      maxLines: 2
    });
    await follower.step();
    expect(follower.entries.map(e => e.insertId)).toEqual(['id-2', 'id-3']);
    expect(follower.dropped).toBe(1);
  });
});

describe('elapsed time', () => {
  it('formats durations', () => {
    expect(formatElapsed(0)).toBe('0s');
    expect(formatElapsed(42_400)).toBe('42s');
    expect(formatElapsed(185_000)).toBe('3m 05s');
    expect(formatElapsed(2 * 3600_000 + 7 * 60_000)).toBe('2h 07m');
    expect(formatElapsed(3 * 86400_000 + 4 * 3600_000)).toBe('3d 4h');
    expect(formatElapsed(-5)).toBe('0s');
  });

  it('measures from start to end, or to now while running', () => {
    const start = '2024-05-01T09:00:00Z';
    const now = Date.parse('2024-05-01T09:01:30Z');
    expect(
      jobElapsed(
        {
          state: 'SUCCEEDED',
          startTime: start,
          endTime: '2024-05-01T09:00:20Z'
        },
        now
      )
    ).toBe(20_000);
    expect(
      jobElapsed({ state: 'RUNNING', startTime: start, endTime: null }, now)
    ).toBe(90_000);
    expect(
      jobElapsed({ state: 'QUEUED', startTime: null, endTime: null }, now)
    ).toBeNull();
  });
});

describe('Jobs list', () => {
  async function renderPanel(api: FakeAPI, onOpenJob = jest.fn()) {
    const model = new VertexModel({ api, autoStart: false });
    await model.refresh();
    const view = render(
      <VertexPanelView
        model={model}
        trans={trans}
        api={api}
        onOpenJob={onOpenJob}
        onBack={jest.fn()}
      />
    );
    return { model, view, onOpenJob };
  }

  it('comes before Models and says how to train when empty', async () => {
    await renderPanel(new FakeAPI());
    const regions = screen
      .getAllByRole('region')
      .map(region => region.getAttribute('aria-labelledby'));
    expect(regions.indexOf('jp-Vertex-jobs-heading')).toBeLessThan(
      regions.indexOf('jp-Vertex-models-heading')
    );
    const jobs = screen.getByRole('region', { name: 'Jobs' });
    expect(jobs.textContent).toContain('No training jobs yet.');
    expect(within(jobs).getByText('.ipynb').tagName).toBe('CODE');
  });

  it('shows each state with its chip, kind, time, source and commit', async () => {
    const api = new FakeAPI();
    api.jobs = [
      makeJob({ id: '1', displayName: 'done', state: 'SUCCEEDED' }),
      makeJob({
        id: '2',
        displayName: 'broken',
        state: 'FAILED',
        createTime: '2024-05-01T08:00:00Z',
        error: { code: 3, message: 'boom' }
      }),
      makeJob({
        id: '3',
        kind: 'trainingPipeline',
        displayName: 'waiting',
        state: 'QUEUED',
        createTime: '2024-05-01T07:00:00Z',
        startTime: null,
        endTime: null,
        labels: { 'git-commit': 'def5678', 'git-dirty': 'true' },
        git: { commit: 'def5678', branch: null, dirty: true }
      })
    ];
    await renderPanel(api);
    const jobs = screen.getByRole('region', { name: 'Jobs' });
    const rows = within(jobs).getAllByRole('listitem');
    expect(rows.map(row => row.getAttribute('data-job-id'))).toEqual([
      '1',
      '2',
      '3'
    ]);
    expect(
      rows[0].querySelector('.jp-Vertex-state-succeeded')?.textContent
    ).toBe('Succeeded');
    expect(rows[0].textContent).toContain('Custom job');
    expect(rows[0].textContent).toContain('1m 05s');
    expect(rows[0].textContent).toContain('train_digits.py');
    expect(rows[0].textContent).toContain('abc1234');
    expect(rows[1].querySelector('.jp-Vertex-state-failed')).toBeTruthy();
    expect(rows[2].querySelector('.jp-Vertex-state-queued')?.textContent).toBe(
      'Queued'
    );
    expect(rows[2].textContent).toContain('Training pipeline');
    expect(rows[2].textContent).toContain('def5678*');
    expect(rows[2].getAttribute('aria-label')).toContain(
      'commit def5678 with uncommitted changes'
    );
  });

  it("hides the custom job a pipeline runs behind the pipeline's row", async () => {
    const api = new FakeAPI();
    api.jobs = [
      makeJob({ id: '5', displayName: 'train-digits-custom-job' }),
      makeJob({
        id: '6',
        kind: 'trainingPipeline',
        customJob: 'projects/123/locations/us-central1/customJobs/5'
      }),
      makeJob({ id: '7', displayName: 'other' })
    ];
    await renderPanel(api);
    const rows = within(screen.getByRole('region', { name: 'Jobs' }))
      .getAllByRole('listitem')
      .map(row => row.getAttribute('data-job-id'));
    expect(rows.sort()).toEqual(['6', '7']);
  });

  it('has no Jobs section on a server without training', async () => {
    const api = new FakeAPI();
    api.statusAnswer = { ...LOCAL_STATUS, capabilities: ['models'] };
    const { model } = await renderPanel(api);
    expect(screen.queryByRole('region', { name: 'Jobs' })).toBeNull();
    await model.refresh();
    expect(api.listJobs).toHaveBeenCalledTimes(1); // before the status was known
  });

  it('shows the error of the jobs list', async () => {
    const api = new FakeAPI();
    api.listJobs.mockImplementation(async () => {
      throw new VertexAPIError({
        message: 'Training is not available.',
        reason: 'UNAVAILABLE',
        status: 503
      });
    });
    await renderPanel(api);
    const jobs = screen.getByRole('region', { name: 'Jobs' });
    expect(within(jobs).getByRole('alert').textContent).toContain(
      'Training is not available.'
    );
  });

  it('opens a job with a click or Enter', async () => {
    const api = new FakeAPI();
    api.jobs = [makeJob({ id: '1' })];
    const { onOpenJob } = await renderPanel(api);
    const row = screen.getByRole('listitem');
    fireEvent.click(row);
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(onOpenJob).toHaveBeenCalledTimes(2);
    expect(onOpenJob.mock.calls[0][0].id).toBe('1');
  });

  it('shows a job in detail with its configuration, provenance and log', async () => {
    const api = new FakeAPI();
    api.jobs = [
      makeJob({
        id: '9',
        kind: 'trainingPipeline',
        state: 'FAILED',
        error: { code: 13, message: 'Replica workerpool0-0 exited with 1' },
        git: { commit: 'abc1234', branch: 'main', dirty: true },
        model: {
          displayName: 'digits',
          servingContainerImageUri:
            'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
          parentModel: null,
          uploadedModel: null
        }
      })
    ];
    api.logPages = [
      { entries: [entry(1), entry(2)], cursor: 'c2', state: 'FAILED' }
    ];
    const model = new VertexModel({ api, autoStart: false });
    await model.refresh();
    model.active = true; // the panel is shown
    const onBack = jest.fn();
    render(
      <VertexPanelView
        model={model}
        trans={trans}
        api={api}
        selectedJob={{ kind: 'trainingPipeline', id: '9' }}
        onBack={onBack}
      />
    );
    const detail = screen.getByRole('region', { name: 'train-digits' });
    expect(detail.textContent).toContain('n1-standard-4');
    expect(detail.textContent).toContain('--max-iter 100');
    expect(detail.textContent).toContain('sklearn-cpu.1-0');
    expect(within(detail).getByRole('alert').textContent).toContain(
      'Replica workerpool0-0 exited with 1'
    );
    expect(within(detail).getByRole('note').textContent).toContain(
      'uncommitted changes'
    );
    expect(detail.textContent).toContain('digits');
    await waitFor(() =>
      expect(screen.getByRole('log').textContent).toContain('line 2')
    );
    expect(
      within(detail).queryByRole('button', { name: 'Cancel job' })
    ).toBeNull();
    const back = screen.getByRole('button', { name: 'Back to the list' });
    expect(document.activeElement).toBe(back);
    fireEvent.click(back);
    expect(onBack).toHaveBeenCalled();
    await act(async () => undefined);
  });
});

describe('Train dialog', () => {
  it('accepts .py and .ipynb files only', () => {
    expect(trainablePath('a/train_digits.py')).toBe('a/train_digits.py');
    expect(trainablePath('x.ipynb')).toBe('x.ipynb');
    expect(trainablePath('data.csv')).toBeNull();
  });

  it('builds the request from the form', () => {
    const form = defaultTrainForm('examples/train_digits.py', null);
    expect(form.displayName).toBe('train-digits');
    expect(trainingRequest('examples/train_digits.py', form)).toEqual({
      path: 'examples/train_digits.py',
      displayName: 'train-digits',
      framework: 'scikit-learn',
      machineType: 'n1-standard-4',
      replicaCount: 1
    });
    expect(
      trainingRequest('t.py', {
        ...form,
        registerModel: true,
        servingImage:
          'europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
        modelDisplayName: 'digits'
      }).registerModel
    ).toEqual({
      servingContainerImageUri:
        'europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
      modelDisplayName: 'digits'
    });
  });
});
