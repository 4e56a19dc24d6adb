import {
  act,
  fireEvent,
  render,
  screen,
  waitFor
} from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { IModelExample } from '../../api/types';
import { choosePrefill, LastRequests } from '../../model/examples';
import { TestPrediction } from '../TestPrediction';
import { FakeAPI, makeModel, trans } from '../../__tests__/fakes';
import { resetServingMocks } from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

const ROW = [0, 0, 5, 13, 9, 1];
const saved: IModelExample = {
  instances: [ROW],
  source: 'artifact',
  uri: 'gs://bucket/digits/instance_example.json',
  note: null
};
const fromSchema: IModelExample = {
  instances: [[7, 7]],
  source: 'schema',
  uri: 'gs://bucket/digits/instance.yaml',
  note: null
};
const none: IModelExample = {
  instances: null,
  source: null,
  uri: null,
  note: null
};

/**
 * A local storage of its own per test.
 */
function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return {
    getItem: key => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value)
  };
}

describe('choosePrefill: the order', () => {
  it('takes the last request, then the saved example, then the schema, then the label', () => {
    const all = {
      lastRequest: '[[1,2,3]]',
      examples: [fromSchema, saved, null],
      labelSize: 4
    };
    expect(choosePrefill(all)).toEqual({
      text: '[[1,2,3]]',
      source: 'last-request'
    });
    expect(choosePrefill({ ...all, lastRequest: null })).toEqual({
      text: JSON.stringify([ROW]),
      source: 'artifact'
    });
    expect(
      choosePrefill({ ...all, lastRequest: null, examples: [none, fromSchema] })
    ).toEqual({ text: '[[7,7]]', source: 'schema' });
    expect(
      choosePrefill({ ...all, lastRequest: null, examples: [none, null] })
    ).toEqual({ text: '[[0,0,0,0]]', source: 'label' });
    expect(
      choosePrefill({ lastRequest: null, examples: [none], labelSize: null })
    ).toBeNull();
  });

  it('remembers a request per endpoint, not one too big to be a start', () => {
    const requests = new LastRequests(memoryStorage());
    requests.remember('1', { instances: [[1]] });
    requests.remember('2', { instances: [[2]], parameters: { k: 1 } });
    requests.remember('1', {
      instances: [new Array(LastRequests.MAX_CHARS).fill(0)]
    });
    expect(requests.get('1')).toBe('[[1]]');
    expect(requests.get('2')).toBe('{"instances":[[2]],"parameters":{"k":1}}');
    expect(requests.get('3')).toBeNull();
    expect(new LastRequests(null).get('1')).toBeNull();
  });
});

describe('Test prediction: the prefill', () => {
  it('starts with the example saved with the model, says so, and predicts it unedited', async () => {
    const api = new FakeAPI();
    api.getModelExample.mockResolvedValue(saved);
    api.predict.mockResolvedValue({
      predictions: [0],
      deployedModelId: '111',
      model: 'projects/123/locations/us-central1/models/1234',
      modelDisplayName: 'digits-classifier',
      modelVersionId: '1'
    });
    const lastRequests = new LastRequests(memoryStorage());
    const model = makeModel({ labels: { 'input-size': '64' } });
    const view = render(
      <TestPrediction
        api={api}
        endpointId="5678"
        models={[model, model]}
        trans={trans}
        lastRequests={lastRequests}
      />
    );
    const editor = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    // The saved example wins over the label's 64 zeros.
    await waitFor(() => expect(editor.value).toBe(JSON.stringify([ROW])));
    expect(api.getModelExample.mock.calls).toEqual([['1234@1']]);
    expect(
      screen.getByText(
        'Example saved with the model (instance_example.json beside its artifacts).'
      )
    ).toBeTruthy();
    expect(editor.placeholder).not.toContain('0.1, 2.5, 3');

    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await screen.findByRole('status', { name: 'Predictions' });
    expect(api.predict).toHaveBeenCalledWith('5678', { instances: [ROW] });
    expect(lastRequests.get('5678')).toBe(JSON.stringify([ROW]));
    view.unmount();

    // The next time, the last successful request comes first.
    api.getModelExample.mockClear();
    lastRequests.remember('5678', { instances: [[1, 2, 3]] });
    render(
      <TestPrediction
        api={api}
        endpointId="5678"
        models={[model]}
        trans={trans}
        lastRequests={lastRequests}
      />
    );
    const again = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    await waitFor(() => expect(again.value).toBe('[[1,2,3]]'));
    expect(
      screen.getByText('Your last successful request to this endpoint.')
    ).toBeTruthy();
    expect(api.getModelExample).not.toHaveBeenCalled();
  });

  it("starts with the schema's example when nothing was saved, and offers no zeros after an error", async () => {
    const api = new FakeAPI();
    api.getModelExample
      .mockResolvedValueOnce(none)
      .mockResolvedValueOnce(fromSchema);
    api.predict.mockRejectedValueOnce(
      new VertexAPIError({
        message:
          'The model refused the instances: X has 2 features, but LogisticRegression is expecting 64 features as input (ValueError).',
        reason: 'INVALID_ARGUMENT',
        status: 400
      })
    );
    render(
      <TestPrediction
        api={api}
        endpointId="5678"
        models={[makeModel({ id: '1' }), makeModel({ id: '2' })]}
        trans={trans}
        lastRequests={new LastRequests(memoryStorage())}
      />
    );
    const editor = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    await waitFor(() => expect(editor.value).toBe('[[7,7]]'));
    expect(
      screen.getByText('Example from the model’s instance schema.')
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await screen.findByRole('alert');
    expect(
      screen.queryByRole('button', { name: /Fill an example/ })
    ).toBeNull();
  });

  it('keeps what the user typed while the example was fetched', async () => {
    const api = new FakeAPI();
    let answer: (value: IModelExample) => void = () => undefined;
    api.getModelExample.mockReturnValueOnce(
      new Promise<IModelExample>(resolve => (answer = resolve))
    );
    render(
      <TestPrediction
        api={api}
        endpointId="5678"
        models={[makeModel()]}
        trans={trans}
        lastRequests={new LastRequests(memoryStorage())}
      />
    );
    const editor = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    fireEvent.change(editor, { target: { value: '[[9]]' } });
    expect(api.getModelExample).toHaveBeenCalledTimes(1);
    await act(async () => answer(saved)); // Flushes the answer and its effects.
    expect(editor.value).toBe('[[9]]');
  });
});
