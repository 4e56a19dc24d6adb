import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';
import { JobDetail } from '../JobDetail';
import {
  dialogAnswer,
  FakeAPI,
  makeJob,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn()
}));

describe('JobDetail', () => {
  afterEach(() => mockedShowDialog.mockReset());

  function renderRunning(api: FakeAPI) {
    const job = makeJob({ id: '3', state: 'RUNNING', endTime: null });
    api.logPages = [{ entries: [], cursor: null, state: 'RUNNING' }];
    const onChanged = jest.fn();
    const view = render(
      <JobDetail api={api} job={job} trans={trans} onChanged={onChanged} />
    );
    return { view, onChanged };
  }

  it('cancels a running job only after confirmation', async () => {
    const api = new FakeAPI();
    const { view, onChanged } = renderRunning(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(api.cancelJob).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    await waitFor(() =>
      expect(api.cancelJob).toHaveBeenCalledWith('customJob', '3')
    );
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    view.unmount();
  });

  it('shows why cancelling failed', async () => {
    const api = new FakeAPI();
    api.cancelJob.mockRejectedValueOnce(
      Object.assign(new Error('The job has already ended.'), {})
    );
    const { view } = renderRunning(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'The job has already ended.'
      )
    );
    view.unmount();
  });

  it('fetches and shows the SDK code', async () => {
    const api = new FakeAPI();
    api.jobCode.mockResolvedValueOnce({
      language: 'python',
      code: 'job = aiplatform.CustomJob.from_local_script(...)'
    });
    const { view } = renderRunning(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(screen.getByRole('button', { name: 'Show SDK code' }));
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(api.jobCode).toHaveBeenCalledWith('customJob', '3');
    const body = mockedShowDialog.mock.calls[0][0]?.body as React.ReactElement;
    render(body);
    expect(screen.getByLabelText('Python SDK code').textContent).toContain(
      'CustomJob.from_local_script'
    );
    view.unmount();
  });
});
