import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { vertexIcon } from '../components/icons';
import { VertexAPIError } from '../api/request';
import { IStatus } from '../api/types';
import { statusSummary } from '../components/format';

/**
 * Title, connection summary (`Local · project · region`), account, and the
 * refresh-all button.
 */
export function Header(props: Header.IProps): JSX.Element {
  const { status, statusError, trans, onRefresh, busy } = props;
  let summary: string;
  if (status) {
    summary = statusSummary(status, trans);
  } else if (statusError) {
    summary = trans.__('Not connected');
  } else {
    summary = trans.__('Connecting…');
  }
  const details: string[] = [];
  if (status?.account) {
    details.push(status.account);
  }
  if (status?.backend === 'local' && status.emulator) {
    details.push(trans.__('embedded Vertex AI %1', status.emulator.state));
  }
  return (
    <header className="jp-Vertex-Header">
      <div className="jp-Vertex-Header-titleRow">
        <vertexIcon.react
          tag="span"
          className="jp-Vertex-Header-icon"
          elementSize="normal"
        />
        <h2 className="jp-Vertex-Header-title">{trans.__('Vertex AI')}</h2>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-Vertex-iconButton"
          aria-label={trans.__('Refresh all')}
          title={trans.__(
            'Refresh everything: status, running now, jobs, models, endpoints and instances'
          )}
          aria-busy={busy}
          onClick={onRefresh}
        >
          <refreshIcon.react tag="span" elementSize="normal" />
        </button>
      </div>
      <div
        className="jp-Vertex-Header-summary"
        data-testid="vertex-summary"
        title={
          status
            ? trans.__(
                'Backend: %1\nProject: %2\nRegion: %3',
                status.backend,
                status.project ?? '',
                status.region ?? ''
              )
            : undefined
        }
      >
        {summary}
      </div>
      {details.length > 0 ? (
        <div
          className="jp-Vertex-Header-details"
          title={status?.emulator?.url ?? undefined}
        >
          {details.join(' · ')}
        </div>
      ) : null}
    </header>
  );
}

export namespace Header {
  export interface IProps {
    status: IStatus | null;
    statusError: VertexAPIError | null;
    trans: TranslationBundle;
    onRefresh: () => void;
    busy?: boolean;
  }
}
