import {
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { IModel } from '../../api/types';
import {
  argmax,
  exampleInstances,
  expectedSizeOf,
  inputSizeOf,
  parseInstances,
  TestPrediction
} from '../TestPrediction';
import { FakeAPI, makeModel, trans } from '../../__tests__/fakes';
import { resetServingMocks } from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(() => {
  resetServingMocks();
  window.localStorage.clear(); // Each test's endpoint starts unremembered.
});

describe('Test prediction', () => {
  const sized: IModel = makeModel({ labels: { 'input-size': '64' } });

  it('prefills one instance of the size the model label states', async () => {
    render(
      <TestPrediction
        api={new FakeAPI()}
        endpointId="5678"
        models={[sized]}
        trans={trans}
      />
    );
    const editor = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    // Nothing better is known (no example, no request yet): the label's size.
    await waitFor(() =>
      expect(JSON.parse(editor.value)).toEqual([new Array(64).fill(0)])
    );
    expect(inputSizeOf(sized)).toBe(64);
    expect(
      inputSizeOf(makeModel({ labels: { 'input-size': 'x' } }))
    ).toBeNull();
    expect(inputSizeOf(makeModel({ labels: {} }))).toBeNull();
    expect(exampleInstances(3)).toBe('[[0,0,0]]');
  });

  it('shows the predictions and the argmax of class probabilities', async () => {
    const api = new FakeAPI();
    api.predict.mockResolvedValueOnce({
      predictions: [
        [0.1, 0.7, 0.2],
        [0.05, 0.05, 0.9]
      ],
      deployedModelId: '111',
      model: 'projects/123/locations/us-central1/models/1234',
      modelDisplayName: 'digits-classifier',
      modelVersionId: '1'
    });
    render(
      <TestPrediction api={api} endpointId="5678" models={[]} trans={trans} />
    );
    const editor = screen.getByLabelText('Instances (JSON)');
    fireEvent.change(editor, { target: { value: '[[1, 2], [3, 4]]' } });
    // Ctrl+Enter predicts from the editor.
    fireEvent.keyDown(editor, { key: 'Enter', ctrlKey: true });
    const result = await screen.findByRole('status', { name: 'Predictions' });
    expect(api.predict).toHaveBeenCalledWith('5678', {
      instances: [
        [1, 2],
        [3, 4]
      ]
    });
    expect(result.textContent).toContain(
      '2 predictions from digits-classifier (deployed model 111, version 1)'
    );
    const items = within(result).getAllByRole('listitem');
    expect(items.map(i => i.textContent)).toEqual([
      'class 1 (p = 0.700)',
      'class 2 (p = 0.900)'
    ]);
    // Numbered from 0, the array index, as in the predict-from-selection table.
    expect(items.map(i => i.getAttribute('aria-label'))).toEqual([
      'Instance 0',
      'Instance 1'
    ]);
    expect(result.querySelector('ol')?.getAttribute('start')).toBe('0');
  });

  it("shows class labels as they are, and the model's message for bad input with a way to fill a valid example", async () => {
    const api = new FakeAPI();
    api.predict.mockRejectedValueOnce(
      new VertexAPIError({
        message:
          'X has 2 features, but LogisticRegression is expecting 64 features as input.',
        reason: 'INVALID_ARGUMENT',
        status: 400
      })
    );
    api.predict.mockResolvedValueOnce({
      predictions: [0],
      deployedModelId: '111',
      model: 'projects/123/locations/us-central1/models/1234',
      modelDisplayName: 'digits-classifier',
      modelVersionId: '1'
    });
    const remember = jest.fn(async () => undefined);
    const model = makeModel({ labels: {} });
    render(
      <TestPrediction
        api={api}
        endpointId="5678"
        models={[model]}
        trans={trans}
        onRememberSize={remember}
      />
    );
    const editor = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    expect(editor.value).toBe('');
    fireEvent.change(editor, { target: { value: '[[1, 2]]' } });
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'X has 2 features, but LogisticRegression is expecting 64 features as input.'
      )
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Fill an example of 64 values' })
    );
    expect(JSON.parse(editor.value)).toEqual([new Array(64).fill(0)]);
    await waitFor(() => expect(remember).toHaveBeenCalledWith(model, 64));
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    const result = await screen.findByRole('status', { name: 'Predictions' });
    expect(within(result).getByRole('listitem').textContent).toBe('0');
  });

  it('says what is wrong with the JSON without asking the server', () => {
    const api = new FakeAPI();
    render(
      <TestPrediction api={api} endpointId="5678" models={[]} trans={trans} />
    );
    const editor = screen.getByLabelText('Instances (JSON)');
    fireEvent.change(editor, { target: { value: '{"rows": []}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    expect(screen.getByRole('alert').textContent).toBe(
      'Expected a JSON array of instances, or {"instances": [...]}.'
    );
    expect(api.predict).not.toHaveBeenCalled();
  });

  it('parses instances and finds sizes and argmax', () => {
    expect(parseInstances('[[1]]', trans)).toEqual({ instances: [[1]] });
    expect(
      parseInstances('{"instances": [[1]], "parameters": {"k": 1}}', trans)
    ).toEqual({ instances: [[1]], parameters: { k: 1 } });
    expect(parseInstances('[]', trans)).toEqual({
      error: 'Give at least one instance.'
    });
    expect('error' in parseInstances('[1,', trans)).toBe(true);
    expect(
      expectedSizeOf(
        'X has 3 features, but DecisionTreeClassifier is expecting 64 features as input.'
      )
    ).toBe(64);
    expect(expectedSizeOf('Model server exited.')).toBeNull();
    expect(argmax([0.2, 0.8])).toBe(1);
    expect(argmax([0.2, 0.3])).toBeNull(); // not probabilities
    expect(argmax([3])).toBeNull();
    expect(argmax('cat')).toBeNull();
  });
});
