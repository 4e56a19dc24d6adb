import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { act, fireEvent, waitFor, within } from '@testing-library/react';
import { ITrainingOptions } from '../../../api/types';
import {
  defaultTrainForm,
  normalize,
  TrainDialogBody,
  trainingRequest
} from '../TrainDialog';
import { FakeAPI, MACHINE_TABLE } from '../../../__tests__/fakes';

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
