import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { CodeBlock } from '../../components/codeDialog';

/**
 * "Show SDK code": the button, and the SDK code or why it could not be
 * had.
 */
export function CodePreview(props: {
  code: string | null;
  error: VertexAPIError | null;
  trans: TranslationBundle;
  onShow: () => void;
  onHide: () => void;
}): JSX.Element {
  const { code, error, trans } = props;
  return (
    <>
      <div className="jp-Vertex-form-codeRow">
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-Vertex-action"
          aria-expanded={code !== null}
          onClick={() => (code === null ? props.onShow() : props.onHide())}
        >
          {code === null
            ? trans.__('Show SDK code')
            : trans.__('Hide SDK code')}
        </button>
      </div>
      {error ? (
        <div className="jp-Vertex-form-error" role="alert">
          {error.message}
        </div>
      ) : null}
      {code !== null ? <CodeBlock code={code} trans={trans} /> : null}
    </>
  );
}
