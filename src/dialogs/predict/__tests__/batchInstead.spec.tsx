import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { act, waitFor } from '@testing-library/react';
import type { NotebookPanel } from '@jupyterlab/notebook';
import {
  dialogAnswer,
  FakeAPI,
  makeBatchJob,
  makeEndpoint,
  makeModel,
  mockedShowDialog,
  trans
} from '../../../__tests__/fakes';
import { BatchDialogBody } from '../../batch/BatchDialog';
import {
  BATCH_OFFER_ROWS,
  batchInstead,
  offersBatch,
  onlineRequests,
  rowsFilePath,
  rowsJsonl,
  servedVersion
} from '../batchInstead';
import { predictSelection } from '../command';
import { askPrediction } from '../PredictDialog';
import { probeValue } from './fixtures';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../../__tests__/apputils').withNotifications()
);

/**
 * `n` rows of 64 pixel values, as the probe sends `X[:n]` of the digits.
 */
function digitsRows(n: number) {
  const values = Array.from({ length: n }, (_, i) =>
    Array.from({ length: 64 }, (_, j) => (i + j) % 17)
  );
  return probeValue({ shape: [n, 64], values });
}

const endpoint = makeEndpoint({
  id: '77',
  displayName: 'digits-endpoint',
  deployedModels: [
    {
      id: '900',
      model: 'projects/p/locations/l/models/1234',
      modelVersionId: '2',
      displayName: 'digits'
    }
  ],
  trafficSplit: { '900': 100 }
});

const MACHINES = [
  {
    machineType: 'n1-standard-4',
    acceleratorTypes: [],
    acceleratorCounts: [],
    acceleratorRequired: false
  }
];

describe('when to offer a batch job', () => {
  it('offers it above the threshold, for rows only', () => {
    expect(BATCH_OFFER_ROWS).toBe(1000);
    expect(offersBatch(digitsRows(1000))).toBe(false);
    expect(offersBatch(digitsRows(1001))).toBe(true);
    // A long 1-D array is one feature vector, a dict one instance.
    const vector = Array.from({ length: 5000 }, () => 0);
    expect(offersBatch(probeValue({ shape: [5000], values: vector }))).toBe(
      false
    );
    expect(
      offersBatch(probeValue({ shape: null, values: { a: vector } }))
    ).toBe(false);
  });

  it('counts the online requests as the bulk route splits them', () => {
    // 1,500 digits rows are ~0.3 MB of JSON: one request.
    expect(onlineRequests(digitsRows(1500).values as unknown[])).toBe(1);
    // 25,000 tiny rows: at most 10,000 instances a request.
    expect(onlineRequests(Array.from({ length: 25_000 }, () => [1]))).toBe(3);
    // 40 rows of 50 kB: 2 MB, by body size.
    const wide = Array.from({ length: 40 }, () => 'x'.repeat(50_000));
    expect(onlineRequests(wide)).toBe(2);
  });
});

describe('the model version an endpoint serves', () => {
  it('is its deployed model, or the one with the most traffic', () => {
    expect(servedVersion(endpoint)).toEqual({
      modelVersion: '1234@2',
      deployedModel: endpoint.deployedModels![0],
      traffic: 100,
      deployedCount: 1
    });
    const two = makeEndpoint({
      deployedModels: [
        {
          id: 'a',
          model: 'projects/p/locations/l/models/1',
          modelVersionId: '1'
        },
        {
          id: 'b',
          model: 'projects/p/locations/l/models/5',
          modelVersionId: '3'
        }
      ],
      trafficSplit: { a: 30, b: 70 }
    });
    expect(servedVersion(two)).toMatchObject({
      modelVersion: '5@3',
      traffic: 70,
      deployedCount: 2
    });
    // No version named: the model's default version.
    const unversioned = makeEndpoint({
      deployedModels: [{ id: 'a', model: 'projects/p/locations/l/models/8' }]
    });
    expect(servedVersion(unversioned)?.modelVersion).toBe('8');
    expect(servedVersion(makeEndpoint())).toBeNull();
  });
});

describe('the rows file', () => {
  it('is named after the notebook, beside it, one instance a line', () => {
    const now = new Date('2026-12-07T12:34:56.789Z');
    expect(rowsFilePath('work/digits.ipynb', now)).toBe(
      'work/digits-rows-20261207-123456.jsonl'
    );
    expect(rowsFilePath('Untitled.ipynb', now)).toBe(
      'Untitled-rows-20261207-123456.jsonl'
    );
    expect(
      rowsJsonl([
        [0, 1.5],
        [2, null]
      ])
    ).toBe('[0,1.5]\n[2,null]\n');
  });
});

describe('batchInstead', () => {
  afterEach(() => mockedShowDialog.mockReset());

  it('writes the rows, opens the batch dialog on the version and opens the job', async () => {
    const api = new FakeAPI();
    const version = makeModel({ id: '1234', versionId: '2' });
    api.getModel.mockResolvedValueOnce(version);
    api.createBatchJob.mockResolvedValueOnce({
      job: makeBatchJob({ id: '555' }),
      code: 'model.batch_predict()'
    });
    const save = jest.fn(async () => ({}) as any);
    const openBatchJob = jest.fn();
    let note = '';
    mockedShowDialog.mockImplementationOnce(async (options: any) => {
      const body = options.body as BatchDialogBody;
      act(() => Widget.attach(body, document.body));
      await waitFor(() => expect(body.node.textContent).toContain('rows'));
      note =
        body.node.querySelector('.jp-Vertex-BatchDialog-note')?.textContent ??
        '';
      const form = body.getValue();
      act(() => body.dispose());
      return dialogAnswer(true, form);
    });
    const value = digitsRows(1500);
    const created = await batchInstead({
      api,
      contents: { save },
      loadMachines: async () => MACHINES,
      openBatchJob,
      notebookPath: 'work/digits.ipynb',
      value,
      expression: 'X[:1500]',
      endpoint,
      trans,
      now: new Date('2026-12-07T12:34:56Z')
    });
    const path = 'work/digits-rows-20261207-123456.jsonl';
    expect(api.getModel).toHaveBeenCalledWith('1234@2');
    expect(save).toHaveBeenCalledWith(path, {
      type: 'file',
      format: 'text',
      content: rowsJsonl(value.values as unknown[])
    });
    expect(note).toBe(
      `The 1,500 rows of X[:1500] are in ${path}, in the Jupyter root. Model version: digits-classifier version 2, the model it serves at endpoint digits-endpoint.`
    );
    expect(api.createBatchJob).toHaveBeenCalledWith('1234@2', {
      input: path,
      instancesFormat: 'jsonl',
      predictionsFormat: 'jsonl',
      machineType: 'n1-standard-2',
      startingReplicaCount: 1,
      maxReplicaCount: 1,
      displayName: 'digits-rows-20261207-123456'
    });
    expect(created?.job.id).toBe('555');
    expect(openBatchJob).toHaveBeenCalledWith('555');
  });

  it('writes nothing when the model version cannot be read', async () => {
    const api = new FakeAPI();
    api.getModel.mockRejectedValueOnce(new Error('Model 1234@2 not found.'));
    const save = jest.fn();
    await expect(
      batchInstead({
        api,
        contents: { save },
        loadMachines: async () => MACHINES,
        openBatchJob: jest.fn(),
        notebookPath: 'digits.ipynb',
        value: digitsRows(1500),
        expression: 'X',
        endpoint,
        trans
      })
    ).rejects.toThrow('Model 1234@2 not found.');
    expect(save).not.toHaveBeenCalled();
    expect(mockedShowDialog).not.toHaveBeenCalled();
  });
});

describe('the offer in the Predict dialog', () => {
  afterEach(() => mockedShowDialog.mockReset());

  /**
   * Open the Predict dialog on `value`; answer with the button labelled
   * `label`. Resolves with the choice and the buttons' labels and text.
   */
  async function choose(
    value: ReturnType<typeof digitsRows>,
    label: string,
    offerBatch = true
  ) {
    let labels: string[] = [];
    let text = '';
    mockedShowDialog.mockImplementationOnce(async (options: any) => {
      const body = options.body as Widget & { getValue(): unknown };
      act(() => Widget.attach(body, document.body));
      await waitFor(() => expect(body.node.textContent).toContain('Endpoint'));
      text = body.node.textContent ?? '';
      const buttons = (options.buttons ?? []) as Dialog.IButton[];
      labels = buttons.map(b => b.label);
      const button = buttons.find(b => b.label === label)!;
      const answer = { button, value: body.getValue(), isChecked: null };
      act(() => body.dispose());
      return answer;
    });
    const choice = await askPrediction({
      value,
      expression: 'X',
      endpoints: [endpoint],
      remembered: null,
      trans,
      offerBatch
    });
    return { choice, labels, text };
  }

  it('says why and with which model, and answers a batch choice', async () => {
    const { choice, labels, text } = await choose(
      digitsRows(1500),
      'Batch predict instead'
    );
    expect(labels).toEqual(['Cancel', 'Batch predict instead', 'Predict']);
    expect(text).toContain(
      'More than 1,000 rows: 1 online request would carry these 1,500 rows from this page, and every prediction would come back into it.'
    );
    expect(text).toContain(
      'a batch job scores them on its own dedicated servers and writes the predictions to files in Cloud Storage.'
    );
    expect(text).toContain(
      'Model version: digits version 2, the model the endpoint serves.'
    );
    expect(choice).toEqual({ mode: 'rows', endpointId: '77', batch: true });
  });

  it('is not offered for few rows, nor when no batch path is wired', async () => {
    const few = await choose(digitsRows(1000), 'Predict');
    expect(few.labels).toEqual(['Cancel', 'Predict']);
    expect(few.text).not.toContain('Batch predict instead');
    expect(few.choice).toEqual({ mode: 'rows', endpointId: '77' });
    const unwired = await choose(digitsRows(1500), 'Predict', false);
    expect(unwired.labels).toEqual(['Cancel', 'Predict']);
  });
});

describe('predictSelection with "Batch predict instead"', () => {
  afterEach(() => mockedShowDialog.mockReset());

  it('goes to the batch job, not to online predictions', async () => {
    const api = new FakeAPI();
    api.endpoints = [endpoint];
    api.getModel.mockResolvedValueOnce(
      makeModel({ id: '1234', versionId: '2' })
    );
    mockedShowDialog.mockImplementationOnce(async (options: any) =>
      dialogAnswer(true, (options.body as BatchDialogBody).getValue())
    );
    const save = jest.fn(async () => ({}) as any);
    const openBatchJob = jest.fn();
    const open = jest.fn();
    const notebook = {
      id: 'nb',
      context: { localPath: 'digits.ipynb' },
      content: {
        activeCell: {
          model: { type: 'code', id: 'c' },
          editor: {
            model: { sharedModel: { getSource: () => 'X[:1500]' } },
            getSelection: () => ({
              start: { line: 0, column: 0 },
              end: { line: 0, column: 0 }
            }),
            getOffsetAt: () => 0,
            getLine: () => 'X[:1500]'
          }
        }
      },
      sessionContext: { session: { kernel: {} } }
    } as unknown as NotebookPanel;
    const ask = jest.fn(async () => ({
      mode: 'rows' as const,
      endpointId: '77',
      batch: true
    }));
    const run = await predictSelection({
      api,
      notebook,
      trans,
      remembered: () => null,
      remember: jest.fn(),
      open,
      evaluate: async () => digitsRows(1500),
      ask,
      batch: {
        contents: { save },
        loadMachines: async () => MACHINES,
        openBatchJob
      }
    });
    expect(run).toBeNull();
    expect((ask.mock.calls as any)[0][0].offerBatch).toBe(true);
    expect(api.predict).not.toHaveBeenCalled();
    expect(api.createBulkPrediction).not.toHaveBeenCalled();
    expect(open).not.toHaveBeenCalled();
    expect((save.mock.calls as any)[0][0]).toMatch(
      /^digits-rows-\d{8}-\d{6}\.jsonl$/
    );
    const body = (api.createBatchJob.mock.calls as any)[0][1];
    expect(body).toMatchObject({ instancesFormat: 'jsonl' });
    expect(openBatchJob).toHaveBeenCalledWith(makeBatchJob().id);
  });
});
