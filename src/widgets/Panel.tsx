import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';
import { vertexIcon } from '../icons';
import { VertexAPIError } from '../request';
import { IVertexModel, PANEL_ID } from '../tokens';
import { Banner } from './Banner';
import { EndpointList } from './EndpointList';
import { Header } from './Header';
import { ModelList } from './ModelList';

/**
 * The view of the panel's state; no state of its own.
 */
export function VertexPanelView(props: VertexPanelView.IProps): JSX.Element {
  const { model, trans } = props;
  const { status, statusError } = model;
  const backend = status?.backend ?? null;
  // A list failing for the same reason as the status would only repeat the
  // banner above it.
  const hideError = (error: VertexAPIError) =>
    statusError !== null && error.reason === statusError.reason;
  const refreshAll = () => void model.refresh();
  return (
    <div className="jp-Vertex-PanelView">
      <Header
        status={status}
        statusError={statusError}
        trans={trans}
        onRefresh={refreshAll}
        busy={model.models.loading || model.endpoints.loading}
      />
      {statusError ? (
        <Banner error={statusError} trans={trans} onRetry={refreshAll} />
      ) : null}
      <div className="jp-Vertex-PanelView-body">
        <ModelList
          state={model.models}
          trans={trans}
          backend={backend}
          onRefresh={() => void model.refreshModels()}
          hideError={hideError}
        />
        <EndpointList
          state={model.endpoints}
          trans={trans}
          backend={backend}
          onRefresh={() => void model.refreshEndpoints()}
          hideError={hideError}
        />
      </div>
    </div>
  );
}

export namespace VertexPanelView {
  export interface IProps {
    model: IVertexModel;
    trans: TranslationBundle;
  }
}

/**
 * The left-sidebar panel. It tells the model whether it is visible, so that
 * polling pauses while it is not.
 */
export class VertexPanel extends ReactWidget {
  constructor(options: VertexPanel.IOptions) {
    super();
    this.model = options.model;
    this._trans = options.translator.load('jupyter_vertex');
    this.id = PANEL_ID;
    this.addClass('jp-Vertex-panel');
    this.title.icon = vertexIcon;
    this.title.caption = this._trans.__('Vertex AI');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Vertex AI panel'));
  }

  readonly model: IVertexModel;

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.stateChanged}>
        {() => <VertexPanelView model={this.model} trans={this._trans} />}
      </UseSignal>
    );
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.active = this.isVisible;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.active = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.active = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.active = false;
    super.onBeforeDetach(msg);
  }

  private _trans: TranslationBundle;
}

export namespace VertexPanel {
  export interface IOptions {
    model: IVertexModel;
    translator: ITranslator;
  }
}
