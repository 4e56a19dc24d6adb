import { Clipboard, showErrorMessage } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor
} from '@testing-library/react';
import * as React from 'react';
import type { NotebookPanel } from '@jupyterlab/notebook';
import {
  instancesExpression,
  predictSelection,
  withInstancesFrom
} from '../command';
import { PredictDialogBody, pickEndpoint } from '../PredictDialog';
import { PredictResult } from '../ResultView';
import { PredictionRun } from '../run';
import { probeValue } from './fixtures';
import { FakeAPI, makeEndpoint } from '../../../__tests__/fakes';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showErrorMessage: jest.fn(async () => undefined)
}));

const trans = nullTranslator.load('jupyter_vertex');
const mockedError = showErrorMessage as jest.MockedFunction<
  typeof showErrorMessage
>;

const servingEndpoint = makeEndpoint({
  id: '77',
  displayName: 'digits-endpoint',
  deployedModels: [
    {
      id: '900',
      model: 'projects/p/locations/l/models/1',
      displayName: 'digits'
    }
  ]
});

describe('PredictDialogBody', () => {
  it('offers the remembered endpoint and the default mode', async () => {
    expect(
      pickEndpoint([makeEndpoint({ id: '1' }), servingEndpoint], null)
    ).toBe('77');
    expect(pickEndpoint([servingEndpoint], 'digits-endpoint')).toBe('77');
    expect(pickEndpoint([makeEndpoint({ id: '1' })], null)).toBeNull();

    const body = new PredictDialogBody({
      value: probeValue(),
      expression: 'X[:3]',
      endpoints: [servingEndpoint],
      remembered: null,
      trans
    });
    act(() => Widget.attach(body, document.body));
    await waitFor(() =>
      expect(body.node.textContent).toContain('A batch of 3 rows')
    );
    expect(body.node.textContent).toContain(
      'numpy.ndarray · shape (3, 2) · float64'
    );
    expect(body.node.textContent).toContain(
      '3 instances, 33 B: one online request.'
    );
    expect(body.getValue()).toEqual({ mode: 'rows', endpointId: '77' });
    expect(body.canPredict).toBe(true);
    const one = body.node.querySelector(
      'input[value="one"]'
    ) as HTMLInputElement;
    act(() => one.click());
    expect(body.getValue()).toEqual({ mode: 'one', endpointId: '77' });
    await waitFor(() =>
      expect(body.node.textContent).toContain('1 instance, 35 B')
    );
    act(() => body.dispose());
  });

  it('cannot predict with NaN values or without a serving endpoint', () => {
    const nan = new PredictDialogBody({
      value: probeValue({
        issues: {
          nan: 1,
          infinity: 0,
          missing: 0,
          nonNumeric: 0,
          first: [{ path: [0, 0], problem: 'nan', value: 'nan' }]
        }
      }),
      expression: 'X',
      endpoints: [servingEndpoint],
      remembered: null,
      trans
    });
    expect(nan.canPredict).toBe(false);
    const none = new PredictDialogBody({
      value: probeValue(),
      expression: 'X',
      endpoints: [makeEndpoint()],
      remembered: null,
      trans
    });
    expect(none.canPredict).toBe(false);
    expect(none.getValue()).toBeNull();
  });
});

describe('PredictResult', () => {
  it('shows predictions with the argmax, copies JSON and inserts a cell', async () => {
    const api = new FakeAPI();
    api.predict.mockResolvedValueOnce({
      predictions: [
        [0.1, 0.9],
        [0.8, 0.2]
      ],
      deployedModelId: '900',
      model: 'm',
      modelDisplayName: 'digits',
      modelVersionId: '1'
    });
    const run = new PredictionRun({
      api,
      endpointId: '77',
      instances: [[1], [2]],
      trans
    });
    const onInsertCell = jest.fn(async () => undefined);
    const copy = jest.spyOn(Clipboard, 'copyToSystem').mockImplementation();
    render(
      <PredictResult
        run={run}
        expression="X[:2]"
        endpointLabel="digits-endpoint"
        trans={trans}
        onInsertCell={onInsertCell}
      />
    );
    await act(() => run.start());
    const classes = Array.from(
      document.querySelectorAll('.jp-Vertex-PredictResult-class')
    ).map(cell => cell.textContent);
    expect(classes).toEqual(['1 (p = 0.900)', '0 (p = 0.800)']);
    expect(screen.getByText('2 predictions from digits-endpoint')).toBeTruthy();
    expect(
      screen.getByText('digits · deployed model 900 · online request')
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy as JSON' }));
    expect(copy).toHaveBeenCalledWith(
      JSON.stringify(
        [
          [0.1, 0.9],
          [0.8, 0.2]
        ],
        null,
        2
      )
    );
    fireEvent.click(screen.getByRole('button', { name: 'Insert a cell' }));
    await waitFor(() => expect(onInsertCell).toHaveBeenCalled());
    expect(
      await screen.findByText('Inserted a cell with the SDK code.')
    ).toBeTruthy();
    copy.mockRestore();
  });

  it('shows bulk progress with a Cancel button', async () => {
    const api = new FakeAPI();
    const run = new PredictionRun({
      api,
      endpointId: '77',
      instances: [[1], [2], [3], [4]],
      trans,
      mode: 'bulk'
    });
    api.createBulkPrediction.mockReturnValueOnce(new Promise(() => undefined));
    render(
      <PredictResult
        run={run}
        expression="X"
        endpointLabel="digits-endpoint"
        trans={trans}
        onInsertCell={jest.fn()}
      />
    );
    void run.start();
    expect(screen.getByText('Predicting 0 of 4 instances…')).toBeTruthy();
    expect(screen.getByRole('progressbar')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('Cancelled.')).toBeTruthy();
  });
});

describe('predictSelection', () => {
  afterEach(() => mockedError.mockClear());

  function fakeNotebook(options: { source: string; kernel?: boolean }) {
    const inserted: Array<{ index: number; source: string }> = [];
    const cellModel = { type: 'code', id: 'cell-1' };
    const content: any = {
      activeCell: {
        model: cellModel,
        editor: {
          model: { sharedModel: { getSource: () => options.source } },
          getSelection: () => ({
            start: { line: 0, column: 0 },
            end: { line: 0, column: 0 }
          }),
          getOffsetAt: () => 0,
          getLine: () => options.source
        }
      },
      widgets: [{ model: { id: 'cell-0' } }, { model: cellModel }],
      model: {
        sharedModel: {
          insertCell: (index: number, cell: { source: string }) =>
            inserted.push({ index, source: cell.source })
        }
      },
      activeCellIndex: 1
    };
    const notebook = {
      id: 'nb',
      content,
      sessionContext: {
        session: options.kernel === false ? null : { kernel: {} }
      }
    } as unknown as NotebookPanel;
    return { notebook, inserted, content };
  }

  it('evaluates, asks, remembers the endpoint, predicts and inserts the SDK code', async () => {
    const api = new FakeAPI();
    api.endpoints = [servingEndpoint];
    api.predict.mockResolvedValueOnce({
      predictions: [0, 1, 2],
      deployedModelId: '900',
      model: 'm',
      modelDisplayName: 'digits',
      modelVersionId: '1'
    });
    api.predictCode.mockResolvedValueOnce({
      language: 'python',
      code: 'endpoint = aiplatform.Endpoint("x")\ninstances = [...]  # yours\nprediction = endpoint.predict(instances=instances)\n'
    });
    const { notebook, inserted, content } = fakeNotebook({ source: 'X[:3]' });
    const evaluate = jest.fn(async () => probeValue());
    const ask = jest.fn(async () => ({
      mode: 'rows' as const,
      endpointId: '77'
    }));
    const remember = jest.fn();
    let opened: Widget | null = null;
    const run = await predictSelection({
      api,
      notebook,
      trans,
      remembered: () => 'digits-endpoint',
      remember,
      open: widget => (opened = widget),
      evaluate,
      ask
    });
    expect(evaluate).toHaveBeenCalledWith({}, 'X[:3]', trans);
    expect((ask.mock.calls as any)[0][0]).toMatchObject({
      expression: 'X[:3]',
      remembered: 'digits-endpoint',
      endpoints: [servingEndpoint]
    });
    expect(remember).toHaveBeenCalledWith('77');
    expect(opened).not.toBeNull();
    await waitFor(() => expect(run?.state).toBe('succeeded'));
    expect(run?.predictions).toEqual([0, 1, 2]);

    act(() => Widget.attach(opened!, document.body));
    const insert = await waitFor(() => {
      const button = Array.from(opened!.node.querySelectorAll('button')).find(
        b => b.textContent === 'Insert a cell'
      );
      expect(button).toBeTruthy();
      return button!;
    });
    act(() => insert.click());
    await waitFor(() => expect(inserted.length).toBe(1));
    expect(api.predictCode).toHaveBeenCalledWith({
      endpointId: '77',
      bulk: false
    });
    expect(inserted[0]).toEqual({
      index: 2,
      source:
        'endpoint = aiplatform.Endpoint("x")\ninstances = X[:3].tolist()\nprediction = endpoint.predict(instances=instances)\n'
    });
    expect(content.activeCellIndex).toBe(2);
    act(() => opened!.dispose());
  });

  it('explains a name the kernel does not know', async () => {
    const api = new FakeAPI();
    const { notebook } = fakeNotebook({ source: 'X_test' });
    const run = await predictSelection({
      api,
      notebook,
      trans,
      remembered: () => null,
      remember: jest.fn(),
      open: jest.fn(),
      evaluate: async () => ({
        ok: false,
        error: { type: 'NameError', message: "name 'X_test' is not defined" }
      }),
      ask: jest.fn()
    });
    expect(run).toBeNull();
    expect(mockedError).toHaveBeenCalledWith(
      'Could not evaluate X_test',
      "NameError: name 'X_test' is not defined Run the cells that define it first."
    );
  });

  it('needs a kernel', async () => {
    const { notebook } = fakeNotebook({ source: 'X', kernel: false });
    const evaluate = jest.fn();
    await predictSelection({
      api: new FakeAPI(),
      notebook,
      trans,
      remembered: () => null,
      remember: jest.fn(),
      open: jest.fn(),
      evaluate
    });
    expect(evaluate).not.toHaveBeenCalled();
    expect(mockedError.mock.calls[0][1]).toBe(
      "This notebook has no kernel. Start one and run the cells that define the selection's names."
    );
  });

  it('writes the instances line from the expression', () => {
    expect(instancesExpression('X[:3]', probeValue(), 'rows')).toBe(
      'X[:3].tolist()'
    );
    expect(
      instancesExpression(
        'df.head()',
        probeValue({ kind: 'DataFrame' }),
        'rows'
      )
    ).toBe('(df.head()).to_numpy().tolist()');
    expect(instancesExpression('X[0]', probeValue({ shape: [2] }), 'one')).toBe(
      '[X[0].tolist()]'
    );
    expect(withInstancesFrom('a = 1\n', 'X.tolist()')).toBe(
      'instances = X.tolist()\na = 1\n'
    );
  });
});
