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
import { IJob } from '../../api/types';
import { JOB_ROW_HEIGHT, JobList } from '../JobList';
import { VirtualList } from '../../components/lists/VirtualList';
import {
  dialogAnswer,
  FakeAPI,
  listState,
  makeJob,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn()
}));

function manyJobs(count: number): IJob[] {
  return Array.from({ length: count }, (_, i) =>
    makeJob({ id: String(i + 1), displayName: `job-${i + 1}` })
  );
}

describe('VirtualList', () => {
  const ROW = 20;

  function renderList(count: number) {
    const items = Array.from({ length: count }, (_, i) => `item ${i}`);
    return render(
      <VirtualList<string>
        items={items}
        rowHeight={ROW}
        maxRows={10}
        overscan={2}
        renderItem={(item, index) => (
          <li key={item} tabIndex={0} data-index={index}>
            {item}
          </li>
        )}
      />
    );
  }

  function rendered(container: HTMLElement): string[] {
    return Array.from(container.querySelectorAll('li')).map(
      li => li.textContent ?? ''
    );
  }

  it('renders only a window of 10,000 rows, and the rows scrolled to', () => {
    const { container } = renderList(10_000);
    const scroller = container.querySelector(
      '.jp-Vertex-VirtualList'
    ) as HTMLElement;
    const list = container.querySelector('ul') as HTMLElement;
    // 10 rows in view plus 2 of overscan below.
    expect(rendered(container)).toEqual(
      Array.from({ length: 12 }, (_, i) => `item ${i}`)
    );
    expect(scroller.style.height).toBe('200px');
    // The padding stands for the rows not rendered: the full height stays.
    expect(list.style.paddingTop).toBe('0px');
    expect(list.style.paddingBottom).toBe(`${(10_000 - 12) * ROW}px`);

    fireEvent.scroll(scroller, { target: { scrollTop: 5000 * ROW } });
    expect(rendered(container)).toEqual(
      Array.from({ length: 14 }, (_, i) => `item ${4998 + i}`)
    );
    expect(list.style.paddingTop).toBe(`${4998 * ROW}px`);
    expect(list.style.paddingBottom).toBe(`${(10_000 - 5012) * ROW}px`);

    // The very end.
    fireEvent.scroll(scroller, { target: { scrollTop: 9990 * ROW } });
    expect(rendered(container)).toEqual(
      Array.from({ length: 12 }, (_, i) => `item ${9988 + i}`)
    );
    expect(list.style.paddingBottom).toBe('0px');
  });

  it('is as high as its rows when they are few', () => {
    const { container } = renderList(3);
    expect(rendered(container)).toEqual(['item 0', 'item 1', 'item 2']);
    expect(
      (container.querySelector('.jp-Vertex-VirtualList') as HTMLElement).style
        .height
    ).toBe('60px');
  });

  it('moves the focus with the keys, also to rows not rendered yet', async () => {
    const { container } = renderList(10_000);
    const scroller = container.querySelector(
      '.jp-Vertex-VirtualList'
    ) as HTMLElement;
    const first = screen.getByText('item 0');
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toBe('item 1');

    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await waitFor(() =>
      expect(document.activeElement?.textContent).toBe('item 9999')
    );
    expect(scroller.scrollTop).toBe(9990 * ROW);

    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toBe('item 9998');

    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    await waitFor(() =>
      expect(document.activeElement?.textContent).toBe('item 0')
    );
    expect(scroller.scrollTop).toBe(0);
  });
});

describe('Jobs section with 10,000 jobs', () => {
  it('renders a window of rows and the right ones after scrolling', () => {
    const jobs = manyJobs(10_000);
    const { container } = render(
      <JobList
        state={listState(jobs)}
        trans={trans}
        onRefresh={jest.fn()}
        onOpen={jest.fn()}
      />
    );
    const region = screen.getByRole('region', { name: 'Jobs' });
    const rows = () =>
      Array.from(region.querySelectorAll('.jp-Vertex-JobRow')).map(row =>
        row.getAttribute('data-job-id')
      );
    expect(rows().length).toBeLessThanOrEqual(20);
    expect(rows()[0]).toBe('1');
    expect(within(region).getByLabelText('10000 items').textContent).toBe(
      '10000'
    );
    const scroller = container.querySelector(
      '.jp-Vertex-VirtualList'
    ) as HTMLElement;
    fireEvent.scroll(scroller, {
      target: { scrollTop: 7000 * JOB_ROW_HEIGHT }
    });
    // 12 rows in view from job 7001 on, with 4 rows of overscan each side.
    expect(rows()).toEqual(
      Array.from({ length: 20 }, (_, i) => String(6997 + i))
    );
    expect(within(region).getByText('job-7001')).toBeTruthy();
  });
});

describe('Jobs filters', () => {
  it('lists jobs by state and kind through the server, dropping stale answers', async () => {
    const api = new FakeAPI();
    api.jobs = [makeJob({ id: '1' })];
    const model = new VertexModel({ api, autoStart: false });
    await model.refresh();
    // The list as the panel renders it from the model's current state.
    const list = () => (
      <JobList
        state={model.jobs}
        trans={trans}
        onRefresh={jest.fn()}
        onOpen={jest.fn()}
        filter={model.jobFilter}
        onFilterChange={filter => {
          model.jobFilter = filter;
        }}
      />
    );
    const view = render(list());
    const rerender = () => view.rerender(list());
    model.stateChanged.connect(rerender);

    // The first answer (no filter) arrives late: dropped once filtered.
    let release: () => void = () => undefined;
    api.listJobs.mockImplementationOnce(
      () =>
        new Promise(resolve => {
          release = () =>
            resolve({ jobs: [makeJob({ id: '99' })], nextPageToken: null });
        })
    );
    const stale = model.refreshJobs();
    api.listJobs.mockResolvedValueOnce({
      jobs: [makeJob({ id: '2', state: 'FAILED' })],
      nextPageToken: null
    });
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Filter jobs by state'), {
        target: { value: 'FAILED' }
      });
    });
    expect(api.listJobs).toHaveBeenLastCalledWith({
      state: 'FAILED',
      pageSize: 100,
      pageToken: undefined
    });
    await act(async () => {
      release();
      await stale;
    });
    await waitFor(() =>
      expect(
        Array.from(document.querySelectorAll('.jp-Vertex-JobRow')).map(r =>
          r.getAttribute('data-job-id')
        )
      ).toEqual(['2'])
    );

    api.listJobs.mockResolvedValueOnce({ jobs: [], nextPageToken: null });
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Filter jobs by kind'), {
        target: { value: 'trainingPipeline' }
      });
    });
    expect(api.listJobs).toHaveBeenLastCalledWith({
      state: 'FAILED',
      kind: 'trainingPipeline',
      pageSize: 100,
      pageToken: undefined
    });
    expect(model.jobFilter).toEqual({
      state: 'FAILED',
      kind: 'trainingPipeline'
    });
    await waitFor(() =>
      expect(
        screen.getByRole('region', { name: 'Jobs' }).textContent
      ).toContain('No jobs match these filters.')
    );
    model.stateChanged.disconnect(rerender);
    model.dispose();
  });
});

describe('Deleting a job', () => {
  afterEach(() => mockedShowDialog.mockReset());

  function renderJobs(api: FakeAPI, jobs: IJob[], onRefresh = jest.fn()) {
    render(
      <JobList
        state={listState(jobs)}
        trans={trans}
        onRefresh={onRefresh}
        onOpen={jest.fn()}
        api={api}
      />
    );
    return onRefresh;
  }

  it('offers Delete for finished jobs only, and asks first', async () => {
    const api = new FakeAPI();
    const onOpen = jest.fn();
    const onRefresh = jest.fn();
    render(
      <JobList
        state={listState([
          makeJob({ id: '1', displayName: 'done', state: 'SUCCEEDED' }),
          makeJob({
            id: '2',
            displayName: 'busy',
            state: 'RUNNING',
            endTime: null
          })
        ])}
        trans={trans}
        onRefresh={onRefresh}
        onOpen={onOpen}
        api={api}
      />
    );
    expect(
      screen.queryByRole('button', { name: 'Delete job busy' })
    ).toBeNull();
    const button = screen.getByRole('button', { name: 'Delete job done' });

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(button);
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(mockedShowDialog.mock.calls[0][0]).toMatchObject({
      title: 'Delete job?',
      body: 'Delete the job "done"? This cannot be undone.'
    });
    expect(api.deleteJob).not.toHaveBeenCalled();
    // The click did not open the job.
    expect(onOpen).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(button);
    await waitFor(() =>
      expect(api.deleteJob).toHaveBeenCalledWith('customJob', '1')
    );
    await waitFor(() => expect(onRefresh).toHaveBeenCalledTimes(1));
  });

  it('deletes a pipeline with the custom job it ran (already gone is fine)', async () => {
    const api = new FakeAPI();
    // The pipeline goes; its custom job was already gone.
    api.deleteJob.mockResolvedValueOnce(undefined).mockRejectedValueOnce(
      new VertexAPIError({
        message: 'gone',
        reason: 'NOT_FOUND',
        status: 404
      })
    );
    const onRefresh = renderJobs(api, [
      makeJob({
        id: '8',
        kind: 'trainingPipeline',
        displayName: 'pipe',
        customJob: 'projects/1/locations/us-central1/customJobs/81'
      })
    ]);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Delete job pipe' }));
    await waitFor(() => expect(onRefresh).toHaveBeenCalledTimes(1));
    expect(mockedShowDialog.mock.calls[0][0]).toMatchObject({
      body: 'Delete the training pipeline "pipe" and the custom job it ran? Its registered model stays.'
    });
    expect(api.deleteJob.mock.calls).toEqual([
      ['trainingPipeline', '8'],
      ['customJob', '81']
    ]);
  });

  it('says why a delete failed and keeps the list', async () => {
    const api = new FakeAPI();
    api.deleteJob.mockRejectedValueOnce(
      new VertexAPIError({
        message: 'The job is still running.',
        reason: 'FAILED_PRECONDITION',
        status: 409
      })
    );
    const onRefresh = renderJobs(api, [
      makeJob({ id: '3', displayName: 'x', state: 'FAILED' })
    ]);
    const { Notification } = jest.requireActual('@jupyterlab/apputils');
    const error = jest.spyOn(Notification, 'error');
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Delete job x' }));
    await waitFor(() =>
      expect(error).toHaveBeenCalledWith(
        'Could not delete "x": The job is still running.',
        { autoClose: false }
      )
    );
    expect(onRefresh).not.toHaveBeenCalled();
    error.mockRestore();
  });
});
