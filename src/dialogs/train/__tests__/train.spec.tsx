import { act, fireEvent, waitFor, within } from '@testing-library/react';
import { VertexClient } from '../../../api/client';
import { VertexAPIError } from '../../../api/request';
import { IJob } from '../../../api/types';
import { TrainDialog, trainFieldOfMessage } from '../TrainDialog';
import {
  fakeServer,
  jsonResponse,
  makeJob,
  pathOf,
  trans
} from '../../../__tests__/fakes';
import { change, fakeAPI, openBody, OPTIONS, PATH, select } from './fixtures';

afterEach(() => {
  document.body.innerHTML = '';
});

describe("Train dialog: the server's answers", () => {
  it('places a refusal at the field it names and keeps the values', async () => {
    const api = fakeAPI();
    const { body, dialog } = await openBody(api);
    await change(select(dialog, 'Framework'), 'tensorflow');
    await change(select(dialog, 'Accelerator'), 'NVIDIA_TESLA_T4');
    api.createJob.mockRejectedValueOnce(
      new VertexAPIError({
        message:
          'Field \'acceleratorCount\': Accelerator count 1 is not valid for accelerator "NVIDIA_TESLA_T4" on machine type "n1-standard-4" (valid: 2).',
        reason: 'INVALID_ARGUMENT',
        hint: null,
        status: 400
      })
    );
    expect(await act(() => body.submit())).toBeNull();
    const count = select(dialog, 'Accelerator count');
    await waitFor(() =>
      expect(count.getAttribute('aria-invalid')).toBe('true')
    );
    expect(
      document.getElementById(count.getAttribute('aria-describedby')!)
        ?.textContent
    ).toBe(
      'Field \'acceleratorCount\': Accelerator count 1 is not valid for accelerator "NVIDIA_TESLA_T4" on machine type "n1-standard-4" (valid: 2).'
    );
    expect(document.activeElement).toBe(count);
    expect(select(dialog, 'Accelerator').value).toBe('NVIDIA_TESLA_T4');
    // No other field is marked.
    expect(dialog.querySelectorAll('[aria-invalid="true"]')).toHaveLength(1);
    body.dispose();
  });

  it('maps nested and schema messages to their fields', () => {
    expect(
      trainFieldOfMessage(
        "Field 'registerModel.servingContainerImageUri' does not match"
      )
    ).toBe('servingImage');
    expect(trainFieldOfMessage("Field 'registerModel.parentModel': x")).toBe(
      'parentModel'
    );
    expect(trainFieldOfMessage("Field 'args.1' must be of type string.")).toBe(
      'args'
    );
    expect(trainFieldOfMessage("Field 'env' has an invalid key: '1BAD'.")).toBe(
      'env'
    );
    expect(trainFieldOfMessage("Field 'path': no file 'x.py'")).toBe('path');
    expect(trainFieldOfMessage('Unknown field')).toBeNull();
  });

  it('shows a refusal naming no field above the form', async () => {
    const api = fakeAPI();
    const { body, dialog } = await openBody(api);
    api.createJob.mockRejectedValueOnce(
      new VertexAPIError({
        message:
          "Field 'path': no file 'examples/train_digits.py' in the Jupyter root.",
        reason: 'NOT_FOUND',
        hint: 'Save the file first, or check its name in the file browser.',
        status: 404
      })
    );
    expect(await act(() => body.submit())).toBeNull();
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe(
      "Field 'path': no file 'examples/train_digits.py' in the Jupyter root.Save the file first, or check its name in the file browser."
    );
    body.dispose();
  });

  it('shows the SDK code of the form before submitting', async () => {
    const api = fakeAPI();
    api.trainingCode.mockResolvedValueOnce({
      language: 'python',
      code: "job = aiplatform.CustomJob.from_local_script(\n    display_name='train-digits',\n)\njob.run()\n"
    });
    const { body, dialog } = await openBody(api);
    await change(
      within(dialog).getByLabelText('Arguments (one per line)'),
      '--epochs\n3'
    );
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Show SDK code' })
    );
    const code = await within(dialog).findByLabelText(
      'Equivalent Python SDK code'
    );
    expect(code.textContent).toBe(
      "job = aiplatform.CustomJob.from_local_script(\n    display_name='train-digits',\n)\njob.run()\n"
    );
    expect(api.trainingCode).toHaveBeenCalledWith(
      expect.objectContaining({ path: PATH, args: ['--epochs', '3'] })
    );
    expect(api.createJob).not.toHaveBeenCalled();
    // The form changes: the code is marked out of date until updated.
    await change(within(dialog).getByLabelText('Display name'), 'other');
    await within(dialog).findByRole('button', { name: 'Update SDK code' });
    expect(code.classList.contains('jp-Vertex-mod-stale')).toBe(true);
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Update SDK code' })
    );
    await within(dialog).findByRole('button', { name: 'Hide SDK code' });
    expect(api.trainingCode).toHaveBeenLastCalledWith(
      expect.objectContaining({ displayName: 'other' })
    );
    body.dispose();
  });

  it('shows the git state with a warning for uncommitted changes', async () => {
    const api = fakeAPI();
    api.trainingProvenance.mockResolvedValueOnce({
      path: PATH,
      kind: 'script',
      git: { commit: 'abc1234', branch: 'main', dirty: true }
    });
    const { body, dialog } = await openBody(api);
    const git = within(dialog).getByRole('status', { name: 'Git state' });
    expect(git.textContent).toBe(
      'Commit abc1234 on branch mainUncommitted changes: the job runs the files as they are now, not as in commit abc1234. Commit them to be able to reproduce this run.'
    );
    expect(api.trainingProvenance).toHaveBeenCalledWith(PATH);
    body.dispose();

    const clean = await openBody(fakeAPI());
    expect(
      within(clean.dialog).getByRole('status', { name: 'Git state' })
        .textContent
    ).toBe('Not in a git repository: the job will not record a commit.');
    clean.body.dispose();
  });
});

describe('TrainDialog', () => {
  it('stays open while the server refuses and closes with the job', async () => {
    const api = fakeAPI();
    api.jobs = [makeJob({ id: '5' })];
    api.createJob.mockRejectedValueOnce(
      new VertexAPIError({
        message: "Field 'displayName' is too long.",
        reason: 'INVALID_ARGUMENT',
        status: 400
      })
    );
    const dialog = new TrainDialog({ api, path: PATH, trans });
    const result = dialog.launch();
    await act(() => dialog.body.ready);
    const train = () =>
      dialog.node.querySelector<HTMLElement>(
        '.jp-Dialog-button.jp-mod-accept'
      )!;
    expect(train().textContent).toBe('Train');
    await act(async () => {
      fireEvent.click(train());
    });
    await waitFor(() =>
      expect(
        within(dialog.node)
          .getByLabelText('Display name')
          .getAttribute('aria-invalid')
      ).toBe('true')
    );
    expect(dialog.isAttached).toBe(true);
    expect((train() as HTMLButtonElement).disabled).toBe(false);
    // While the job is being created, Train cannot create a second one.
    let created: (job: IJob) => void = () => undefined;
    api.createJob.mockImplementationOnce(
      () =>
        new Promise<IJob>(resolve => {
          created = resolve;
        })
    );
    await act(async () => {
      fireEvent.click(train());
    });
    expect((train() as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {
      fireEvent.click(train());
    });
    await act(async () => created(makeJob({ id: '5' })));
    const answer = await result;
    expect(answer.button.accept).toBe(true);
    expect(answer.value?.id).toBe('5');
    expect(api.createJob).toHaveBeenCalledTimes(2);
  });
});

describe('training API', () => {
  it('asks the options, the git state and the code', async () => {
    const { settings, fetch } = fakeServer(request => {
      if (request.url.includes('/options')) {
        return jsonResponse(OPTIONS);
      }
      if (request.url.includes('/provenance')) {
        return jsonResponse({ path: 'a b.py', kind: 'script', git: null });
      }
      return jsonResponse({ language: 'python', code: 'x' });
    });
    const client = new VertexClient({ serverSettings: settings });
    expect(await client.trainingOptions()).toEqual(OPTIONS);
    await client.trainingProvenance('a b.py');
    await client.trainingCode({ path: 'a b.py', machineType: 'e2-standard-4' });
    const urls = fetch.mock.calls.map(call => pathOf(call[0]));
    expect(urls).toEqual([
      '/lab-base/jupyter-vertex/api/training/options',
      '/lab-base/jupyter-vertex/api/training/provenance?path=a+b.py',
      '/lab-base/jupyter-vertex/api/training/code'
    ]);
    const method = (fetch.mock.calls[2][0] as Request).method;
    expect(method).toBe('POST');
  });
});
