import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { withInlineCode } from './format';

/**
 * Messages longer than this are clamped to a few lines until expanded.
 */
const LONG_MESSAGE = 160;

/**
 * A failure of the REST API, with the server's message and hint.
 */
export function Banner(props: Banner.IProps): JSX.Element {
  const { error, trans, onRetry, compact } = props;
  const [expanded, setExpanded] = React.useState(false);
  const long = error.message.length > LONG_MESSAGE;
  const className =
    'jp-Vertex-Banner' + (compact ? ' jp-Vertex-Banner-compact' : '');
  return (
    <div className={className} role="alert" data-reason={error.reason}>
      <div
        className={
          'jp-Vertex-Banner-message' +
          (long && !expanded ? ' jp-Vertex-mod-clamped' : '')
        }
        title={long && !expanded ? error.message : undefined}
      >
        {withInlineCode(error.message)}
      </div>
      {error.hint ? (
        <div className="jp-Vertex-Banner-hint">
          {withInlineCode(error.hint)}
        </div>
      ) : null}
      <div className="jp-Vertex-Banner-footer">
        <span className="jp-Vertex-Banner-reason">
          {error.status
            ? trans.__('%1 · HTTP %2', error.reason, error.status)
            : error.reason}
        </span>
        {long ? (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-small jp-Vertex-Banner-button"
            aria-expanded={expanded}
            onClick={() => setExpanded(!expanded)}
          >
            {expanded ? trans.__('Less') : trans.__('More')}
          </button>
        ) : null}
        {onRetry ? (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-small jp-Vertex-Banner-button"
            onClick={onRetry}
          >
            {trans.__('Retry')}
          </button>
        ) : null}
      </div>
    </div>
  );
}

export namespace Banner {
  export interface IProps {
    error: VertexAPIError;
    trans: TranslationBundle;
    onRetry?: () => void;
    compact?: boolean;
  }
}

/**
 * A dialog form's refusal that names none of its fields: the server's
 * message and hint above the form (no reason line, unlike `Banner`).
 */
export function FormBanner(props: { error: VertexAPIError }): JSX.Element {
  const { error } = props;
  return (
    <div className="jp-Vertex-Banner jp-Vertex-Banner-compact" role="alert">
      <div className="jp-Vertex-Banner-message">{error.message}</div>
      {error.hint ? (
        <div className="jp-Vertex-Banner-hint">
          {withInlineCode(error.hint)}
        </div>
      ) : null}
    </div>
  );
}

/**
 * A view's compact banners: why it could not load (with Retry when
 * `onRetry` is given), then why the last action was refused.
 */
export function ErrorBanners(props: {
  loadError: VertexAPIError | null;
  actionError: VertexAPIError | null;
  trans: TranslationBundle;
  onRetry?: () => void;
}): JSX.Element {
  const { loadError, actionError, trans, onRetry } = props;
  return (
    <>
      {loadError ? (
        <Banner error={loadError} trans={trans} compact onRetry={onRetry} />
      ) : null}
      {actionError ? (
        <Banner error={actionError} trans={trans} compact />
      ) : null}
    </>
  );
}
