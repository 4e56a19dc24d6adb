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
import { VertexModel } from '../../model/VertexModel';
import { VertexAPIError } from '../../api/request';
import { VertexPanelView } from '../Panel';
import { JobDetail } from '../../views/JobDetail';
import { formatElapsed, jobElapsed } from '../../components/format';
import {
  FakeAPI,
  LOCAL_STATUS,
  logEntry,
  makeJob
} from '../../__tests__/fakes';

const trans = nullTranslator.load('jupyter_vertex');

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
  async function renderPanel(api: FakeAPI, onOpen = jest.fn()) {
    const model = new VertexModel({ api, autoStart: false });
    await model.refresh();
    const view = render(
      <VertexPanelView model={model} trans={trans} api={api} onOpen={onOpen} />
    );
    return { model, view, onOpen };
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
    const { onOpen } = await renderPanel(api);
    const row = screen.getByRole('listitem');
    fireEvent.click(row);
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledTimes(2);
    expect(onOpen.mock.calls[0][0]).toEqual({
      kind: 'job',
      jobKind: 'customJob',
      id: '1'
    });
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
      { entries: [logEntry(1), logEntry(2)], cursor: 'c2', state: 'FAILED' }
    ];
    render(
      <JobDetail
        api={api}
        job={api.jobs[0]}
        trans={trans}
        onChanged={jest.fn()}
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
    await act(async () => undefined);
  });
});
