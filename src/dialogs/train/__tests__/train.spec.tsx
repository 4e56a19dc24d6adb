import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { act, fireEvent, waitFor, within } from '@testing-library/react';
import { VertexClient } from '../../../api/client';
import { VertexAPIError } from '../../../api/request';
import { IJob, ITrainingOptions } from '../../../api/types';
import {
  defaultTrainForm,
  normalize,
  TrainDialog,
  TrainDialogBody,
  trainFieldOfMessage,
  trainingRequest
} from '../TrainDialog';
import {
  FakeAPI,
  fakeServer,
  jsonResponse,
  MACHINE_TABLE,
  makeJob,
  makeModel,
  pathOf
} from '../../../__tests__/fakes';

const trans = nullTranslator.load('jupyter_vertex');
const PATH = 'examples/train_digits.py';

/**
 * What `GET /training/options` answers (a part of the server's table).
 */
export const OPTIONS: ITrainingOptions = {
  region: 'us-central1',
  defaultFramework: 'scikit-learn',
  defaultMachineType: 'n1-standard-4',
  frameworks: [
    { name: 'scikit-learn', versions: [{ version: '1.0', gpu: false }] },
    {
      name: 'tensorflow',
      versions: [
        { version: '2.12', gpu: true },
        { version: '2.11', gpu: true }
      ]
    }
  ],
  machineTypes: [
    ...MACHINE_TABLE,
    {
      machineType: 'g2-standard-24',
      acceleratorTypes: ['NVIDIA_L4'],
      acceleratorCounts: [2],
      acceleratorRequired: true
    }
  ],
  servingImages: {
    'scikit-learn':
      'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
    tensorflow: 'us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest'
  }
};

function fakeAPI(): FakeAPI {
  const api = new FakeAPI();
  api.trainingOptionsAnswer = OPTIONS;
  return api;
}

async function openBody(
  api: FakeAPI,
  options: { defaultMachineType?: string } = {}
): Promise<{ body: TrainDialogBody; dialog: HTMLElement }> {
  const body = new TrainDialogBody({ api, path: PATH, trans, ...options });
  act(() => Widget.attach(body, document.body));
  await act(() => body.ready);
  const dialog = body.node;
  await waitFor(() =>
    expect(
      (within(dialog).getByLabelText('Machine type') as HTMLSelectElement)
        .disabled
    ).toBe(false)
  );
  return { body, dialog };
}

function optionTexts(select: HTMLElement): string[] {
  return Array.from((select as HTMLSelectElement).options).map(
    o => o.textContent ?? ''
  );
}

function select(dialog: HTMLElement, label: string): HTMLSelectElement {
  return within(dialog).getByLabelText(label) as HTMLSelectElement;
}

async function change(element: HTMLElement, value: string): Promise<void> {
  await act(async () => {
    fireEvent.change(element, { target: { value } });
  });
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('Train dialog: valid combinations only', () => {
  it('offers the accelerators of the machine type and the framework', async () => {
    const api = fakeAPI();
    const { body, dialog } = await openBody(api);
    // scikit-learn has no GPU image: no machine that comes with a GPU, and
    // no accelerator.
    expect(optionTexts(select(dialog, 'Machine type'))).toEqual([
      'n1-standard-4',
      'e2-standard-4'
    ]);
    expect(optionTexts(select(dialog, 'Accelerator'))).toEqual(['None']);
    expect(select(dialog, 'Accelerator').disabled).toBe(true);
    expect(dialog.textContent).toContain(
      'This framework version has no GPU image.'
    );

    await change(select(dialog, 'Framework'), 'tensorflow');
    await waitFor(() =>
      expect(optionTexts(select(dialog, 'Accelerator'))).toEqual([
        'None',
        'NVIDIA T4',
        'NVIDIA V100',
        'NVIDIA P100',
        'NVIDIA P4'
      ])
    );
    expect(optionTexts(select(dialog, 'Machine type'))).toEqual([
      'n1-standard-4',
      'e2-standard-4',
      'a2-highgpu-2g',
      'g2-standard-24'
    ]);
    expect(optionTexts(select(dialog, 'Version'))).toEqual(['2.12', '2.11']);

    await change(select(dialog, 'Accelerator'), 'NVIDIA_TESLA_V100');
    await waitFor(() =>
      expect(optionTexts(select(dialog, 'Accelerator count'))).toEqual([
        '1',
        '2',
        '4',
        '8'
      ])
    );
    await change(select(dialog, 'Accelerator count'), '4');

    // A CPU-only machine drops the accelerator.
    await change(select(dialog, 'Machine type'), 'e2-standard-4');
    await waitFor(() =>
      expect(optionTexts(select(dialog, 'Accelerator'))).toEqual(['None'])
    );
    expect(dialog.textContent).toContain(
      'This machine type takes no accelerator.'
    );
    expect(body.state.form.acceleratorType).toBe('');

    // An A2 machine comes with its A100s: no "None", and its count only.
    await change(select(dialog, 'Machine type'), 'a2-highgpu-2g');
    await waitFor(() =>
      expect(optionTexts(select(dialog, 'Accelerator'))).toEqual([
        'NVIDIA A100 40GB'
      ])
    );
    expect(optionTexts(select(dialog, 'Accelerator count'))).toEqual(['2']);
    expect(select(dialog, 'Accelerator count').value).toBe('2');
    expect(trainingRequest(PATH, body.state.form)).toMatchObject({
      framework: 'tensorflow',
      frameworkVersion: '2.12',
      machineType: 'a2-highgpu-2g',
      acceleratorType: 'NVIDIA_TESLA_A100',
      acceleratorCount: 2
    });

    // Back to scikit-learn: the GPU machine is not offered any more.
    await change(select(dialog, 'Framework'), 'scikit-learn');
    await waitFor(() =>
      expect(select(dialog, 'Machine type').value).toBe('n1-standard-4')
    );
    expect(body.state.form.acceleratorType).toBe('');
    body.dispose();
  });

  it('normalizes any form to a combination the options allow', () => {
    const form = defaultTrainForm(PATH, OPTIONS);
    expect(
      normalize(OPTIONS, {
        ...form,
        framework: 'tensorflow',
        machineType: 'g2-standard-24',
        acceleratorType: 'NVIDIA_TESLA_T4',
        acceleratorCount: 8
      })
    ).toMatchObject({
      machineType: 'g2-standard-24',
      acceleratorType: 'NVIDIA_L4',
      acceleratorCount: 2,
      frameworkVersion: '2.12'
    });
    // A custom image may use any accelerator the machine takes.
    expect(
      normalize(OPTIONS, {
        ...form,
        container: 'custom',
        machineType: 'n1-standard-4',
        acceleratorType: 'NVIDIA_TESLA_T4',
        acceleratorCount: 3
      })
    ).toMatchObject({
      acceleratorType: 'NVIDIA_TESLA_T4',
      acceleratorCount: 1
    });
  });

  it('starts from the defaultMachineType setting when offered', async () => {
    const { body, dialog } = await openBody(fakeAPI(), {
      defaultMachineType: 'e2-standard-4'
    });
    expect(select(dialog, 'Machine type').value).toBe('e2-standard-4');
    body.dispose();
    const other = await openBody(fakeAPI(), {
      defaultMachineType: 'z9-unknown-1'
    });
    expect(select(other.dialog, 'Machine type').value).toBe('n1-standard-4');
    other.body.dispose();
  });
});

describe('Train dialog: args, env, labels, model', () => {
  it('keeps what was typed while the options loaded', async () => {
    const api = fakeAPI();
    let answer: (options: ITrainingOptions) => void = () => undefined;
    api.trainingOptions.mockImplementationOnce(
      () =>
        new Promise<ITrainingOptions>(resolve => {
          answer = resolve;
        })
    );
    const body = new TrainDialogBody({ api, path: PATH, trans });
    act(() => Widget.attach(body, document.body));
    await act(async () => {
      body.setForm({ displayName: 'early', args: '--seed\n1' });
    });
    await act(async () => {
      answer(OPTIONS);
      await body.ready;
    });
    expect(trainingRequest(PATH, body.state.form)).toEqual({
      path: PATH,
      displayName: 'early',
      framework: 'scikit-learn',
      frameworkVersion: '1.0',
      machineType: 'n1-standard-4',
      replicaCount: 1,
      args: ['--seed', '1']
    });
    body.dispose();
  });

  it('edits args and env vars and submits them', async () => {
    const api = fakeAPI();
    api.jobs = [makeJob({ id: '77' })];
    const { body, dialog } = await openBody(api);
    const args = within(dialog).getByLabelText('Arguments (one per line)');
    await change(args, '--max-iter\n50\n\n--seed=3\n');
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Add variable' })
    );
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Add variable' })
    );
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Variable 2: name')).toBeTruthy()
    );
    await change(within(dialog).getByLabelText('Variable 1: name'), 'SEED');
    await change(within(dialog).getByLabelText('Variable 1: value'), '7');
    await change(within(dialog).getByLabelText('Variable 2: name'), 'MODE');
    await change(within(dialog).getByLabelText('Variable 2: value'), 'fast');
    // Remove the second again.
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Remove Variable 2' })
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add label' }));
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Label 1: name')).toBeTruthy()
    );
    await change(within(dialog).getByLabelText('Label 1: name'), 'team');
    await change(within(dialog).getByLabelText('Label 1: value'), 'ml');

    const job = await act(() => body.submit());
    expect(job?.id).toBe('77');
    expect(api.createJob).toHaveBeenCalledWith({
      path: PATH,
      displayName: 'train-digits',
      framework: 'scikit-learn',
      frameworkVersion: '1.0',
      machineType: 'n1-standard-4',
      replicaCount: 1,
      args: ['--max-iter', '50', '--seed=3'],
      env: { SEED: '7' },
      labels: { team: 'ml' }
    });
    expect(body.getValue()?.id).toBe('77');
    body.dispose();
  });

  it('checks env names and labels before asking the server', async () => {
    const api = fakeAPI();
    const { body, dialog } = await openBody(api);
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Add variable' })
    );
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Variable 1: name')).toBeTruthy()
    );
    await change(within(dialog).getByLabelText('Variable 1: name'), '1BAD');
    expect(await act(() => body.submit())).toBeNull();
    expect(api.createJob).not.toHaveBeenCalled();
    const group = within(dialog).getByRole('group', {
      name: 'Environment variables'
    });
    expect(group.getAttribute('aria-invalid')).toBe('true');
    const error = document.getElementById(
      group.getAttribute('aria-describedby')!
    );
    expect(error?.textContent).toBe(
      '"1BAD" is not a valid variable name (letters, digits and _, not starting with a digit).'
    );
    // Fixing the field clears its error.
    await change(within(dialog).getByLabelText('Variable 1: name'), 'GOOD');
    await waitFor(() => expect(group.getAttribute('aria-invalid')).toBeNull());
    body.dispose();
  });

  it('registers a new version of a model picked from the registry', async () => {
    const api = fakeAPI();
    api.models = [
      makeModel({ id: '42', displayName: 'digits' }),
      makeModel({ id: '43', displayName: 'iris' })
    ];
    api.jobs = [makeJob({ kind: 'trainingPipeline', id: '9' })];
    const { body, dialog } = await openBody(api);
    fireEvent.click(
      within(dialog).getByLabelText('Register the trained model')
    );
    await waitFor(() =>
      expect(
        (within(dialog).getByLabelText('Serving container') as HTMLInputElement)
          .value
      ).toBe('us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest')
    );
    fireEvent.click(within(dialog).getByLabelText('A new version of a model'));
    await waitFor(() =>
      expect(optionTexts(select(dialog, 'Parent model'))).toEqual([
        'Choose a model',
        'digits (42, version 1)',
        'iris (43, version 1)'
      ])
    );
    expect(api.listModels).toHaveBeenCalledWith({ pageSize: 500 });
    // Not chosen yet: said at the field.
    expect(await act(() => body.submit())).toBeNull();
    expect(
      document.getElementById(
        select(dialog, 'Parent model').getAttribute('aria-describedby')!
      )?.textContent
    ).toBe('Choose the model to add a version to.');

    await change(select(dialog, 'Parent model'), '42');
    await act(() => body.submit());
    expect(api.createJob).toHaveBeenCalledTimes(1);
    expect(api.createJob.mock.calls[0]).toEqual([
      expect.objectContaining({
        registerModel: {
          servingContainerImageUri:
            'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
          parentModel: '42'
        }
      })
    ]);
    body.dispose();
  });

  it('follows the framework with the serving image until the user edits it', async () => {
    const { body, dialog } = await openBody(fakeAPI());
    fireEvent.click(
      within(dialog).getByLabelText('Register the trained model')
    );
    await change(select(dialog, 'Framework'), 'tensorflow');
    const image = () =>
      (within(dialog).getByLabelText('Serving container') as HTMLInputElement)
        .value;
    await waitFor(() =>
      expect(image()).toBe(
        'us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest'
      )
    );
    await change(
      within(dialog).getByLabelText('Serving container'),
      'europe-docker.pkg.dev/p/r/mine:1'
    );
    await change(select(dialog, 'Framework'), 'scikit-learn');
    await waitFor(() =>
      expect(image()).toBe('europe-docker.pkg.dev/p/r/mine:1')
    );
    body.dispose();
  });
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
