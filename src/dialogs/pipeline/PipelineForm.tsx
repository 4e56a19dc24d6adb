import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { FormBanner } from '../../components/Banner';
import { Field, Select, TextInput } from '../../components/form';
import { CodePreview } from '../deploy/CodePreview';
import {
  checkPipelineForm,
  fieldOfPipelineMessage,
  IPipelineForm
} from './form';

export interface IPipelineFormProps {
  form: IPipelineForm;
  /**
   * The server's refusal of the last submit, shown at the field it names.
   */
  error: VertexAPIError | null;
  trans: TranslationBundle;
  /**
   * The SDK code of a run with this form (omitted: no "Show SDK code").
   */
  loadCode?: (form: IPipelineForm) => Promise<string>;
  onChange: (form: IPipelineForm) => void;
}

const TYPE_NOTES: Record<string, string> = {
  integer: 'integer',
  number: 'number',
  string: 'string',
  boolean: 'boolean',
  list: 'JSON list',
  object: 'JSON object'
};

/**
 * The Run as pipeline form: a field per parameter of the pipeline (its type,
 * its default), the pipeline root, caching, a display name and the SDK code.
 */
export function PipelineForm(props: IPipelineFormProps): JSX.Element {
  const { form, error, trans } = props;
  const [code, setCode] = React.useState<string | null>(null);
  const [codeError, setCodeError] = React.useState<VertexAPIError | null>(null);
  const set = (change: Partial<IPipelineForm>) => {
    setCode(null);
    props.onChange({ ...form, ...change });
  };
  const local = checkPipelineForm(form, trans);
  const fields = new Set([
    'pipelineRoot',
    ...form.parameters.map(p => `param:${p.name}`)
  ]);
  const field = error ? fieldOfPipelineMessage(error.message) : null;
  const serverField = field && fields.has(field) ? field : null;
  const messageOf = (name: string): string | null =>
    local[name] ?? (error && serverField === name ? error.message : null);
  const showCode = async () => {
    if (!props.loadCode) {
      return;
    }
    try {
      setCode(await props.loadCode(form));
      setCodeError(null);
    } catch (reason) {
      setCodeError(VertexAPIError.from(reason));
    }
  };
  return (
    <div className="jp-Vertex-form jp-Vertex-PipelineForm">
      {error && !serverField ? <FormBanner error={error} /> : null}
      <fieldset className="jp-Vertex-fieldset">
        <legend>{trans.__('Parameters')}</legend>
        {form.parameters.length === 0 ? (
          <div className="jp-Vertex-note">
            {trans.__('This pipeline has no parameters.')}
          </div>
        ) : null}
        {form.parameters.map(param => {
          const name = `param:${param.name}`;
          const id = `jp-Vertex-pipeline-param-${param.name}`;
          const value = form.values[param.name] ?? '';
          const change = (text: string) =>
            set({ values: { ...form.values, [param.name]: text } });
          const kind = TYPE_NOTES[param.type] ?? param.type;
          const note = param.optional
            ? trans.__('%1, optional', kind)
            : trans.__('%1, required', kind);
          return (
            <Field
              key={param.name}
              id={id}
              name={name}
              label={param.name}
              note={param.description ? `${note} · ${param.description}` : note}
              error={messageOf(name)}
            >
              {control =>
                param.type === 'boolean' ? (
                  <Select
                    {...control}
                    value={value}
                    choices={[
                      ...(param.optional || value === ''
                        ? [{ value: '', label: trans.__('(default)') }]
                        : []),
                      { value: 'true', label: 'true' },
                      { value: 'false', label: 'false' }
                    ]}
                    onChange={change}
                  />
                ) : (
                  <TextInput
                    {...control}
                    value={value}
                    rows={
                      param.type === 'list' || param.type === 'object'
                        ? 2
                        : undefined
                    }
                    onChange={change}
                  />
                )
              }
            </Field>
          );
        })}
      </fieldset>
      <fieldset className="jp-Vertex-fieldset">
        <legend>{trans.__('Run')}</legend>
        <Field
          id="jp-Vertex-pipeline-pipelineRoot"
          name="pipelineRoot"
          label={trans.__('Pipeline root')}
          note={trans.__("Where the tasks' artifacts are written.")}
          error={messageOf('pipelineRoot')}
        >
          {control => (
            <TextInput
              {...control}
              value={form.pipelineRoot}
              onChange={pipelineRoot => set({ pipelineRoot })}
            />
          )}
        </Field>
        <Field
          id="jp-Vertex-pipeline-caching"
          name="caching"
          label={trans.__('Caching')}
        >
          {control => (
            <Select
              {...control}
              value={form.caching}
              choices={[
                {
                  value: 'default',
                  label: trans.__("As compiled (each task's setting)")
                },
                { value: 'on', label: trans.__('On: reuse earlier outputs') },
                { value: 'off', label: trans.__('Off: run every task') }
              ]}
              onChange={caching =>
                set({ caching: caching as IPipelineForm['caching'] })
              }
            />
          )}
        </Field>
        <Field
          id="jp-Vertex-pipeline-displayName"
          name="displayName"
          label={trans.__('Display name')}
        >
          {control => (
            <TextInput
              {...control}
              value={form.displayName}
              placeholder={trans.__('The pipeline name')}
              maxLength={128}
              onChange={displayName => set({ displayName })}
            />
          )}
        </Field>
      </fieldset>
      {props.loadCode ? (
        <CodePreview
          code={code}
          error={codeError}
          trans={trans}
          onShow={() => void showCode()}
          onHide={() => setCode(null)}
        />
      ) : null}
    </div>
  );
}
