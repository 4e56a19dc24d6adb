import { fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../../api/request';
import type { IPipelineParameter } from '../../../api/types';
import {
  dialogAnswer,
  FakeAPI,
  mockedShowDialog,
  trans
} from '../../../__tests__/fakes';
import {
  checkPipelineForm,
  fieldOfPipelineMessage,
  initialPipelineForm,
  IPipelineForm,
  parseValue,
  pipelineRequest
} from '../form';
import { PipelineForm } from '../PipelineForm';
import { runPipelineFile } from '../PipelineDialog';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../../__tests__/apputils').withNotifications()
);

afterEach(() => mockedShowDialog.mockReset());

const PARAMS: IPipelineParameter[] = [
  { name: 'a', type: 'integer', optional: false },
  { name: 'loud', type: 'boolean', optional: true, default: true },
  { name: 'ratio', type: 'number', optional: true, default: 0.5 },
  { name: 'tags', type: 'list', optional: true, default: ['x'] },
  { name: 'text', type: 'string', optional: true, default: 'hi' }
];

function form(values: Record<string, string> = {}): IPipelineForm {
  const initial = initialPipelineForm({
    path: 'flows/adder.py',
    pipeline: 'adder',
    parameters: PARAMS,
    pipelineRoot: 'gs://b/pipeline-root'
  });
  return { ...initial, values: { ...initial.values, ...values } };
}

describe('the Run as pipeline form', () => {
  it('opens with each default as text, a re-run with its own values', () => {
    expect(form().values).toEqual({
      a: '',
      loud: 'true',
      ratio: '0.5',
      tags: '["x"]',
      text: 'hi'
    });
    const rerun = initialPipelineForm({
      path: '',
      parameters: PARAMS,
      pipelineRoot: 'gs://b/r',
      values: { a: 3, text: 'yo' }
    });
    expect(rerun.values.a).toBe('3');
    expect(rerun.values.text).toBe('yo');
  });

  it('converts each text to its type and names what is wrong', () => {
    const [a, loud, ratio, tags] = PARAMS;
    expect(parseValue(a, ' 42 ', trans)).toEqual({ value: 42 });
    expect(parseValue(a, '4.2', trans)).toEqual({
      error: 'A whole number, e.g. 3.'
    });
    expect(parseValue(ratio, '1e-3', trans)).toEqual({ value: 0.001 });
    expect(parseValue(loud, 'false', trans)).toEqual({ value: false });
    expect(parseValue(tags, '[1, 2]', trans)).toEqual({ value: [1, 2] });
    expect(parseValue(tags, '{"k": 1}', trans)).toEqual({
      error: 'A JSON list, e.g. [1, 2].'
    });
    expect(
      checkPipelineForm(
        { ...form({ ratio: 'half' }), pipelineRoot: '/tmp/x' },
        trans
      )
    ).toEqual({
      'param:a': 'Required.',
      'param:ratio': 'A number, e.g. 0.5.',
      pipelineRoot: 'A Cloud Storage folder: gs://BUCKET/PATH.'
    });
  });

  it('sends typed values, the root and caching', () => {
    const request = pipelineRequest(
      { ...form({ a: '3', text: '' }), caching: 'off' },
      trans
    );
    expect(request).toEqual({
      path: 'flows/adder.py',
      pipeline: 'adder',
      displayName: null,
      // An optional string left empty takes its default.
      parameterValues: { a: 3, loud: true, ratio: 0.5, tags: ['x'] },
      pipelineRoot: 'gs://b/pipeline-root',
      enableCaching: false
    });
    expect(pipelineRequest(form({ a: '1' }), trans).enableCaching).toBeNull();
  });

  it("finds the field a server's refusal names", () => {
    expect(
      fieldOfPipelineMessage(
        'Invalid pipeline_job.runtime_config.parameter_values[a]: NUMBER_INTEGER parameter'
      )
    ).toBe('param:a');
    expect(
      fieldOfPipelineMessage("is missing the required parameter 'a'")
    ).toBe('param:a');
    expect(fieldOfPipelineMessage("Field 'pipelineRoot': 'x' is not")).toBe(
      'pipelineRoot'
    );
    expect(fieldOfPipelineMessage('kfp could not compile')).toBeNull();
  });

  it('renders a field per parameter, the server error at its field, the code', async () => {
    const onChange = jest.fn();
    const loadCode = jest.fn(async () => 'job.submit()');
    const error = new VertexAPIError({
      message:
        'Invalid pipeline_job.runtime_config.parameter_values[ratio]: NUMBER_DOUBLE parameter, so a number',
      reason: 'INVALID_ARGUMENT',
      status: 400
    });
    render(
      <PipelineForm
        form={form({ a: '3' })}
        error={error}
        trans={trans}
        loadCode={loadCode}
        onChange={onChange}
      />
    );
    expect(screen.getByLabelText('a')).toHaveProperty('value', '3');
    expect(screen.getByText('integer, required')).toBeTruthy();
    expect(screen.getByLabelText('loud').tagName).toBe('SELECT');
    expect(screen.getByLabelText('tags').tagName).toBe('TEXTAREA');
    expect(screen.getByText('string, optional')).toBeTruthy();
    const ratio = screen.getByLabelText('ratio');
    expect(ratio.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain(
      'parameter_values[ratio]'
    );
    fireEvent.change(screen.getByLabelText('text'), {
      target: { value: 'yo' }
    });
    expect(onChange.mock.calls[0][0].values.text).toBe('yo');
    fireEvent.click(screen.getByRole('button', { name: 'Show SDK code' }));
    expect(await screen.findByText('job.submit()')).toBeTruthy();
    expect(loadCode).toHaveBeenCalledTimes(1);
  });

  it('runs a file: preview, the form, then the create with typed values', async () => {
    const api = new FakeAPI();
    mockedShowDialog.mockImplementationOnce(async () =>
      dialogAnswer(true, {
        ...initialPipelineForm({
          path: 'flow.yaml',
          parameters: (await api.previewPipeline({ path: 'flow.yaml' }))
            .parameters,
          pipelineRoot: 'gs://staging/pipeline-root'
        }),
        values: { rows: '250', note: 'hi' }
      })
    );
    const created = await runPipelineFile({ api, path: 'flow.yaml', trans });
    expect(created?.job.id).toBe('flow-1');
    expect(api.previewPipeline).toHaveBeenCalledWith({ path: 'flow.yaml' });
    expect(api.createPipelineJob).toHaveBeenCalledWith({
      path: 'flow.yaml',
      pipeline: null,
      displayName: null,
      parameterValues: { rows: 250, note: 'hi' },
      pipelineRoot: 'gs://staging/pipeline-root',
      enableCaching: null
    });
  });
});
