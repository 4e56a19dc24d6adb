import {
  act,
  fireEvent,
  render,
  screen,
  waitFor
} from '@testing-library/react';
import * as React from 'react';
import {
  dialogAnswer,
  FakeAPI,
  makeBatchJob,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';
import { BATCH_POLL_MS, BatchJobDetail } from '../BatchJobDetail';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(() => {
  mockedShowDialog.mockReset();
  jest.useRealTimers();
});

function renderJob(api: FakeAPI, props: Partial<BatchJobDetail.IProps> = {}) {
  const callbacks = {
    onGone: jest.fn(),
    onChanged: jest.fn(),
    insertCell: jest.fn(async () => 'inserted' as const)
  };
  render(
    <BatchJobDetail
      api={api}
      jobId="777"
      listed={null}
      trans={trans}
      {...callbacks}
      {...props}
    />
  );
  return callbacks;
}

describe('BatchJobDetail', () => {
  it('follows a running job: rows done / total, rate, ETA, then the results', async () => {
    jest.useFakeTimers();
    const api = new FakeAPI();
    api.batchJobs = [
      makeBatchJob({
        state: 'RUNNING',
        endTime: null,
        outputDirectory: null,
        completionStats: { successful: 0, failed: 0, incomplete: 0 },
        progress: {
          done: 0,
          total: 1000,
          rowsPerSecond: null,
          etaSeconds: null
        }
      })
    ];
    renderJob(api);
    const status = await screen.findByText('0 / 1,000 rows');
    expect(status.closest('[role="status"]')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Delete job' })).toHaveProperty(
      'disabled',
      true
    );
    api.batchJobs = [
      makeBatchJob({
        state: 'RUNNING',
        endTime: null,
        progress: { done: 400, total: 1000, rowsPerSecond: 200, etaSeconds: 3 }
      })
    ];
    await act(async () => {
      jest.advanceTimersByTime(BATCH_POLL_MS);
    });
    await screen.findByText(
      '400 / 1,000 rows · 200 rows/s · 3s left · 2 failed'
    );
    api.batchJobs = [makeBatchJob()];
    await act(async () => {
      jest.advanceTimersByTime(BATCH_POLL_MS);
    });
    await screen.findByText('1,000 / 1,000 rows · 100 rows/s · 2 failed');
    const calls = api.getBatchJob.mock.calls.length;
    // Ended: not fetched again.
    await act(async () => {
      jest.advanceTimersByTime(BATCH_POLL_MS * 3);
    });
    expect(api.getBatchJob.mock.calls.length).toBe(calls);
    const table = await screen.findByRole('table', {
      name: 'Predictions (first rows)'
    });
    expect(table.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(table.querySelector('tbody td')?.textContent).toBe('[0,1,2]');
    const errors = screen.getByRole('table', { name: 'Errors (first rows)' });
    expect(errors.textContent).toContain(
      'X has 1 features, but the model expects 64'
    );
    expect(api.batchJobResults).toHaveBeenLastCalledWith('777', 10);
  });

  it('inserts the results cell and says where it went', async () => {
    const api = new FakeAPI();
    api.batchJobs = [makeBatchJob()];
    const { insertCell } = renderJob(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Insert DataFrame cell' })
    );
    await screen.findByText('Inserted below the active cell.');
    expect(insertCell).toHaveBeenCalledWith(api.batchResults.cell);
  });

  it('cancels once confirmed', async () => {
    const api = new FakeAPI();
    api.batchJobs = [
      makeBatchJob({ state: 'RUNNING', endTime: null, outputDirectory: null })
    ];
    const { onChanged } = renderJob(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(api.cancelBatchJob).toHaveBeenCalledWith('777'));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(
      (await screen.findByText('Cancelling')).getAttribute('data-state')
    ).toBe('CANCELLING');
  });

  it('deletes an ended job once confirmed and closes', async () => {
    const api = new FakeAPI();
    api.batchJobs = [makeBatchJob()];
    const { onGone, onChanged } = renderJob(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete job' }));
    await waitFor(() => expect(onGone).toHaveBeenCalled());
    expect(api.deleteBatchJob).toHaveBeenCalledWith('777');
    expect(onChanged).toHaveBeenCalled();
  });

  it('closes when the job is gone', async () => {
    const api = new FakeAPI();
    const { onGone } = renderJob(api);
    await waitFor(() => expect(onGone).toHaveBeenCalled());
  });
});
