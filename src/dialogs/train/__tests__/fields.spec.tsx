import { Widget } from '@lumino/widgets';
import { act, fireEvent, waitFor, within } from '@testing-library/react';
import { ITrainingOptions } from '../../../api/types';
import { TrainDialogBody, trainingRequest } from '../TrainDialog';
import { makeJob, makeModel, trans } from '../../../__tests__/fakes';
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
