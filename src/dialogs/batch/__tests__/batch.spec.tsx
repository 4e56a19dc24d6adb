import { fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../../api/request';
import {
  dialogAnswer,
  FakeAPI,
  makeModel,
  mockedShowDialog,
  trans
} from '../../../__tests__/fakes';
import { BatchForm } from '../BatchForm';
import { batchDialog } from '../BatchDialog';
import {
  batchRequest,
  checkBatchForm,
  formatOfPath,
  IBatchForm,
  initialBatchForm
} from '../form';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../../__tests__/apputils').withNotifications()
);

const MACHINES = [
  {
    machineType: 'n1-standard-4',
    acceleratorTypes: [],
    acceleratorCounts: [],
    acceleratorRequired: false
  }
];

describe('the Batch predict form', () => {
  it('opens on the version with the file browser selection and its format', () => {
    const form = initialBatchForm(makeModel({ versionId: '2' }), [
      'data/rows.csv',
      'other.jsonl'
    ]);
    expect(form.modelId).toBe(`${makeModel().id}@2`);
    expect(form.source).toBe('file');
    expect(form.path).toBe('data/rows.csv');
    expect(form.instancesFormat).toBe('csv');
    expect(formatOfPath('x.JSONL')).toBe('jsonl');
    expect(formatOfPath('files.txt')).toBe('file-list');
  });

  it('sends only what was set: the root file, formats, machines, size', () => {
    const form: IBatchForm = {
      ...initialBatchForm(makeModel(), ['rows.csv']),
      startingReplicaCount: 2,
      maxReplicaCount: 3,
      batchSize: ' 64 '
    };
    expect(batchRequest(form)).toEqual({
      input: 'rows.csv',
      instancesFormat: 'csv',
      predictionsFormat: 'jsonl',
      machineType: 'n1-standard-2',
      startingReplicaCount: 2,
      maxReplicaCount: 3,
      batchSize: 64
    });
    expect(
      batchRequest({
        ...form,
        source: 'gcs',
        uri: 'gs://b/in-*.jsonl',
        outputUriPrefix: 'gs://b/out',
        displayName: 'nightly'
      })
    ).toMatchObject({
      input: 'gs://b/in-*.jsonl',
      outputUriPrefix: 'gs://b/out',
      displayName: 'nightly'
    });
  });

  it('names each problem at its field', () => {
    const form = initialBatchForm(makeModel(), []);
    expect(checkBatchForm(form, trans)).toEqual({
      input: 'Choose a file of the Jupyter root.'
    });
    expect(
      checkBatchForm(
        {
          ...form,
          source: 'gcs',
          uri: '/tmp/x.jsonl',
          outputUriPrefix: 'bq://p.d.t',
          startingReplicaCount: 3,
          maxReplicaCount: 2,
          batchSize: '0'
        },
        trans
      )
    ).toEqual({
      input: 'A Cloud Storage URI starts with gs://bucket.',
      outputUriPrefix: 'The output prefix is a gs:// URI (or leave it empty).',
      maxReplicaCount: 'At least the starting count (3).',
      batchSize: 'A whole number from 1 to 100,000 (or leave it empty).'
    });
  });

  it('shows the default output prefix and the server SDK code of the form', async () => {
    const api = new FakeAPI();
    const form = initialBatchForm(makeModel(), ['rows.jsonl']);
    const onChange = jest.fn();
    render(
      <BatchForm
        api={api}
        model={makeModel()}
        machines={MACHINES}
        form={form}
        trans={trans}
        onChange={onChange}
      />
    );
    expect(
      screen.getByText(
        'Default: gs://<staging bucket>/jupyter-vertex/batch-outputs'
      )
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show SDK code' }));
    const code = await screen.findByLabelText('Python SDK code');
    expect(code.textContent).toBe('model.batch_predict(...)');
    expect(api.batchJobCode).toHaveBeenCalledWith(
      form.modelId,
      batchRequest(form)
    );
    // Changing the file changes the format it suggests.
    fireEvent.change(screen.getByLabelText('File'), {
      target: { value: 'rows.csv' }
    });
    expect(onChange).toHaveBeenLastCalledWith({
      ...form,
      path: 'rows.csv',
      instancesFormat: 'csv'
    });
  });

  it('shows the server refusal at the field it names', () => {
    render(
      <BatchForm
        api={new FakeAPI()}
        model={makeModel()}
        machines={MACHINES}
        form={initialBatchForm(makeModel(), ['gone.csv'])}
        error={
          new VertexAPIError({
            message: "Field 'input': no file 'gone.csv' in the Jupyter root.",
            reason: 'NOT_FOUND',
            status: 404
          })
        }
        trans={trans}
        onChange={jest.fn()}
      />
    );
    const field = screen.getByLabelText('File');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toBe(
      "no file 'gone.csv' in the Jupyter root."
    );
  });
});

describe('batchDialog', () => {
  afterEach(() => mockedShowDialog.mockReset());

  it('creates the job; a 4xx opens the form again with the same values', async () => {
    const api = new FakeAPI();
    const form = initialBatchForm(makeModel(), ['rows.csv']);
    api.createBatchJob.mockRejectedValueOnce(
      new VertexAPIError({
        message: "Field 'input': no file 'rows.csv' in the Jupyter root.",
        reason: 'NOT_FOUND',
        status: 404
      })
    );
    mockedShowDialog
      .mockResolvedValueOnce(dialogAnswer(true, form))
      .mockResolvedValueOnce(dialogAnswer(true, form));
    const created = await batchDialog({
      api,
      model: makeModel(),
      machines: MACHINES,
      form,
      trans
    });
    expect(api.createBatchJob).toHaveBeenCalledTimes(2);
    expect(api.createBatchJob).toHaveBeenLastCalledWith(
      form.modelId,
      batchRequest(form)
    );
    expect(mockedShowDialog).toHaveBeenCalledTimes(2);
    expect(created?.code).toBe('model.batch_predict()');
  });

  it('creates nothing when cancelled', async () => {
    const api = new FakeAPI();
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    const created = await batchDialog({
      api,
      model: makeModel(),
      machines: MACHINES,
      form: initialBatchForm(makeModel(), ['rows.csv']),
      trans
    });
    expect(created).toBeNull();
    expect(api.createBatchJob).not.toHaveBeenCalled();
  });
});
