import { Widget } from '@lumino/widgets';
import { act, fireEvent, waitFor, within } from '@testing-library/react';
import { ITrainingOptions } from '../../../api/types';
import { TrainDialogBody } from '../TrainDialog';
import { FakeAPI, MACHINE_TABLE, trans } from '../../../__tests__/fakes';

/**
 * The file the Train dialog is opened on in the specs.
 */
export const PATH = 'examples/train_digits.py';

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

/**
 * A fake API that answers `OPTIONS` to `GET /training/options`.
 */
export function fakeAPI(): FakeAPI {
  const api = new FakeAPI();
  api.trainingOptionsAnswer = OPTIONS;
  return api;
}

/**
 * The dialog's body attached to the page, once its options have loaded.
 */
export async function openBody(
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

export function optionTexts(select: HTMLElement): string[] {
  return Array.from((select as HTMLSelectElement).options).map(
    o => o.textContent ?? ''
  );
}

export function select(dialog: HTMLElement, label: string): HTMLSelectElement {
  return within(dialog).getByLabelText(label) as HTMLSelectElement;
}

export async function change(
  element: HTMLElement,
  value: string
): Promise<void> {
  await act(async () => {
    fireEvent.change(element, { target: { value } });
  });
}
