import { render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';
import { IJobLogs, JobState } from '../../api/types';
import { JobDetail } from '../JobDetail';
import { FakeAPI, makeJob, trans } from '../../__tests__/fakes';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

/**
 * The state shown never lags the log: when the log's answer carries another
 * state than the job shown, the view has the job read again.
 */
describe('JobDetail follows the state its log brings', () => {
  function page(state: JobState, message?: string): IJobLogs {
    return {
      entries: message
        ? [
            {
              timestamp: '2026-12-07T09:00:00Z',
              insertId: message,
              severity: 'INFO',
              replica: 'workerpool0-0',
              message
            }
          ]
        : [],
      cursor: message ? `after-${message}` : null,
      state
    };
  }

  function show(api: FakeAPI, state: JobState) {
    const onChanged = jest.fn();
    const job = makeJob({ id: '7', state, endTime: null });
    const view = render(
      <JobDetail api={api} job={job} trans={trans} onChanged={onChanged} />
    );
    return { view, job, onChanged };
  }

  it('refreshes a job shown Queued once its log streams while it runs', async () => {
    const api = new FakeAPI();
    api.logPages = [page('RUNNING', 'first line')];
    const { view, job, onChanged } = show(api, 'QUEUED');
    await waitFor(() =>
      expect(screen.getByRole('log').textContent).toContain('first line')
    );
    expect(onChanged).toHaveBeenCalledTimes(1);
    // The list answered RUNNING: nothing more to refresh while it agrees.
    view.rerender(
      <JobDetail
        api={api}
        job={{ ...job, state: 'RUNNING' }}
        trans={trans}
        onChanged={onChanged}
      />
    );
    expect(onChanged).toHaveBeenCalledTimes(1);
    view.unmount();
  });

  it('does not refresh while the log agrees with the state shown', async () => {
    const api = new FakeAPI();
    api.logPages = [page('RUNNING', 'a line')];
    const { view, onChanged } = show(api, 'RUNNING');
    await waitFor(() =>
      expect(screen.getByRole('log').textContent).toContain('a line')
    );
    expect(onChanged).not.toHaveBeenCalled();
    view.unmount();
  });
});
