import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { FormBanner } from '../../components/Banner';
import { withInlineCode } from '../../components/format';
import { CodePreview } from '../deploy/CodePreview';
import {
  InputFieldset,
  IBatchFieldsetProps,
  OutputFieldset,
  ResourcesFieldset
} from './fieldsets';
import {
  batchRequest,
  checkBatchForm,
  fieldOfBatchMessage,
  IBatchDialogOptions,
  IBatchForm
} from './form';

/**
 * The Batch predict form: input, resources, output, each field's message
 * (the form's checks, else the server's refusal naming it) and the SDK code
 * (the server's preview of `Model.batch_predict`).
 */
export function BatchForm(
  props: IBatchDialogOptions & { onChange: (form: IBatchForm) => void }
): JSX.Element {
  const { api, form, error, trans, machines } = props;
  const [code, setCode] = React.useState<string | null>(null);
  const [codeError, setCodeError] = React.useState<VertexAPIError | null>(null);
  const set = (change: Partial<IBatchForm>) => {
    setCode(null);
    props.onChange({ ...form, ...change });
  };
  const local = checkBatchForm(form, trans);
  const serverField = error ? fieldOfBatchMessage(error.message) : null;
  const messageOf = (field: string): string | null =>
    local[field] ??
    (error && serverField === field
      ? error.message.replace(/^Field '[^']+':\s*/, '')
      : null);
  const fieldset: IBatchFieldsetProps = {
    form,
    trans,
    set,
    checked: name => ({
      id: `jp-Vertex-batch-${name}`,
      name,
      error: messageOf(name)
    })
  };
  const showCode = async () => {
    try {
      const answer = await api.batchJobCode(form.modelId, batchRequest(form));
      setCode(answer.code);
      setCodeError(null);
    } catch (reason) {
      setCodeError(VertexAPIError.from(reason));
    }
  };
  return (
    <div className="jp-Vertex-form">
      {props.note ? (
        <div className="jp-Vertex-note jp-Vertex-BatchDialog-note">
          {withInlineCode(props.note)}
        </div>
      ) : null}
      {error && !serverField ? <FormBanner error={error} /> : null}
      <InputFieldset {...fieldset} />
      <ResourcesFieldset {...fieldset} machines={machines} />
      <OutputFieldset {...fieldset} />
      <CodePreview
        code={code}
        error={codeError}
        trans={trans}
        onShow={() => void showCode()}
        onHide={() => setCode(null)}
      />
    </div>
  );
}
