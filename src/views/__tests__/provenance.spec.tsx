import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';
import { JobDetail } from '../JobDetail';
import { ArtifactLink, ModelProvenance, RerunActions } from '../Provenance';
import {
  dialogAnswer,
  FakeAPI,
  makeJob,
  makeModel,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn()
}));

afterEach(() => mockedShowDialog.mockReset());

describe('ModelProvenance', () => {
  it('says which job and commit trained the model; the job is a link', () => {
    const onOpenJob = jest.fn();
    const model = makeModel({
      provenance: {
        job: { kind: 'trainingPipeline', id: '42', displayName: 'Digits Run' },
        git: { commit: 'abc1234', branch: 'main', dirty: false }
      }
    });
    render(
      <ModelProvenance model={model} trans={trans} onOpenJob={onOpenJob} />
    );
    expect(screen.getByTestId('model-provenance').textContent).toBe(
      'Trained by Digits Run from abc1234 on main (clean)'
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Open job Digits Run' })
    );
    expect(onOpenJob).toHaveBeenCalledWith('trainingPipeline', '42');
  });

  it('says when the commit had uncommitted changes, and nothing without provenance', () => {
    const dirty = makeModel({
      provenance: {
        job: null,
        git: { commit: 'abc1234', branch: null, dirty: true }
      }
    });
    const { unmount } = render(<ModelProvenance model={dirty} trans={trans} />);
    expect(screen.getByTestId('model-provenance').textContent).toBe(
      'Trained from abc1234 (uncommitted changes)'
    );
    unmount();
    const plain = render(
      <ModelProvenance model={makeModel({ provenance: null })} trans={trans} />
    );
    expect(plain.container.textContent).toBe('');
  });
});

describe('JobDetail provenance', () => {
  it('links the registered model version to the model', () => {
    const api = new FakeAPI();
    const onOpenModel = jest.fn();
    const job = makeJob({
      kind: 'trainingPipeline',
      model: {
        displayName: 'digits',
        servingContainerImageUri: 'img',
        parentModel: null,
        uploadedModel: 'projects/123/locations/us-central1/models/77@2'
      }
    });
    render(
      <JobDetail
        api={api}
        job={job}
        trans={trans}
        onChanged={jest.fn()}
        onOpenModel={onOpenModel}
      />
    );
    const link = screen.getByRole('button', { name: 'Open model 77@2' });
    expect(link.textContent).toBe('77@2');
    fireEvent.click(link);
    expect(onOpenModel).toHaveBeenCalledWith('77');
  });

  it('opens the executed notebook in JupyterLab', async () => {
    const api = new FakeAPI();
    const onOpenArtifact = jest.fn();
    const uri = 'gs://b/run/output/executed/analysis.ipynb';
    render(
      <JobDetail
        api={api}
        job={makeJob({ notebookOutput: uri })}
        trans={trans}
        onChanged={jest.fn()}
        onOpenArtifact={onOpenArtifact}
      />
    );
    fireEvent.click(
      screen.getByRole('button', { name: `Open ${uri} in JupyterLab` })
    );
    await waitFor(() => expect(onOpenArtifact).toHaveBeenCalledTimes(1));
    expect(api.openArtifact).toHaveBeenCalledWith(uri);
    expect(onOpenArtifact.mock.calls[0][0]).toEqual({
      uri,
      path: 'vertex-artifacts/b/run/output/executed/analysis.ipynb',
      kind: 'notebook',
      files: 1,
      bytes: 10
    });
  });
});

describe('ArtifactLink', () => {
  it('shows why a copy failed', async () => {
    const api = new FakeAPI();
    api.openArtifact.mockRejectedValueOnce(
      new Error("Field 'uri': no object gs://b/x (and nothing under it).")
    );
    render(
      <ArtifactLink
        api={api}
        uri="gs://b/x"
        trans={trans}
        onOpenArtifact={jest.fn()}
      />
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Open gs://b/x in JupyterLab' })
    );
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'no object gs://b/x'
      )
    );
  });
});

describe('RerunActions', () => {
  it('re-runs a clean job after confirmation and opens the new job', async () => {
    const api = new FakeAPI();
    const created = makeJob({ id: '9', displayName: 'train-digits-rerun' });
    api.rerunJob.mockResolvedValueOnce(created);
    const onStarted = jest.fn();
    const onError = jest.fn();
    render(
      <RerunActions
        api={api}
        job={makeJob({ id: '3' })}
        trans={trans}
        onError={onError}
        onStarted={onStarted}
      />
    );
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(
      screen.getByRole('button', { name: 'Re-run from abc1234' })
    );
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(api.rerunJob).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(
      screen.getByRole('button', { name: 'Re-run from abc1234' })
    );
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith(created));
    expect(api.rerunJob).toHaveBeenCalledWith('customJob', '3');
  });

  it('shows the SDK code to re-run by hand', async () => {
    const api = new FakeAPI();
    api.rerunJobCode.mockResolvedValueOnce({
      language: 'python',
      code: "subprocess.run(['git', 'archive', 'abc1234'])"
    });
    render(
      <RerunActions
        api={api}
        job={makeJob({ id: '3' })}
        trans={trans}
        onError={jest.fn()}
      />
    );
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(
      screen.getByRole('button', { name: 'Show SDK code to re-run' })
    );
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(api.rerunJobCode).toHaveBeenCalledWith('customJob', '3');
    const body = mockedShowDialog.mock.calls[0][0]?.body as React.ReactElement;
    render(body);
    expect(screen.getByLabelText('Python SDK code').textContent).toContain(
      "'archive', 'abc1234'"
    );
  });

  it('is refused, saying why, for uncommitted changes; absent without a commit', () => {
    const api = new FakeAPI();
    const dirty = makeJob({
      git: { commit: 'abc1234', branch: 'main', dirty: true }
    });
    const { unmount } = render(
      <RerunActions api={api} job={dirty} trans={trans} onError={jest.fn()} />
    );
    const button = screen.getByRole('button', { name: 'Re-run from abc1234' });
    expect(button).toHaveProperty('disabled', true);
    expect(button.getAttribute('title')).toBe(
      'Trained with uncommitted changes: commit abc1234 does not hold what it ran.'
    );
    expect(
      screen.queryByRole('button', { name: 'Show SDK code to re-run' })
    ).toBeNull();
    unmount();
    const none = render(
      <RerunActions
        api={api}
        job={makeJob({ git: null, labels: {} })}
        trans={trans}
        onError={jest.fn()}
      />
    );
    expect(none.container.textContent).toBe('');
  });
});
