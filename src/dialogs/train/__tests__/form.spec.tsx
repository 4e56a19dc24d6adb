import { waitFor } from '@testing-library/react';
import { defaultTrainForm, normalize, trainingRequest } from '../TrainDialog';
import {
  change,
  fakeAPI,
  openBody,
  optionTexts,
  OPTIONS,
  PATH,
  select
} from './fixtures';

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
