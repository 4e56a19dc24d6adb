import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { IRequestOptions, requestAPI } from '../api/request';
import { IVertexModel } from '../model/tokens';
import { PANEL_ID } from '../tokens';
import { IMachineOption } from '../dialogs/deploy/DeployDialog';
import { BatchJobs } from '../model/batchJobs';
import { PipelineJobs } from '../model/pipelineJobs';
import { PipelineSchedules } from '../model/pipelineSchedules';
import { OperationTracker } from '../model/operations';
import type { VertexResource } from '../tabs/resources';
import { VertexPanelView } from './PanelView';

export * from './PanelView';

/**
 * The left-sidebar panel: header, Running now and the lists. A row opens
 * its resource's main-area tab through `onOpen`. It tells the model whether
 * it is visible, so that polling pauses while it is not.
 */
export class VertexPanel extends ReactWidget {
  constructor(options: VertexPanel.IOptions) {
    super();
    this.model = options.model;
    this.api = options.api ?? null;
    this._trans = options.translator.load('jupyter_vertex');
    this._onOpen = options.onOpen ?? null;
    this.id = PANEL_ID;
    this.addClass('jp-Vertex-panel');
    this.title.icon = vertexIcon;
    this.title.caption = this._trans.__('Vertex AI');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Vertex AI panel'));
    if (this.api) {
      this.tracker = new OperationTracker({
        api: this.api,
        trans: this._trans
      });
      // Deployments change both lists once they end.
      this.tracker.ended.connect(() => {
        void this.model.refreshModels();
        void this.model.refreshEndpoints();
      });
    } else {
      this.tracker = null;
    }
    this._loadMachines = options.loadMachines ?? null;
    this._batchJobs = options.batchJobs ?? null;
    this._pipelineJobs = options.pipelineJobs ?? null;
    this._pipelineSchedules = options.pipelineSchedules ?? null;
  }

  readonly model: IVertexModel;
  readonly api: IVertexAPI | null;
  /**
   * Follows the deploy, undeploy and instance operations started from the
   * panel and its tabs.
   */
  readonly tracker: OperationTracker | null;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.tracker?.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.stateChanged}>
        {() => (
          <VertexPanelView
            model={this.model}
            trans={this._trans}
            api={this.api ?? undefined}
            onOpen={this.api ? (this._onOpen ?? undefined) : undefined}
            tracker={this.tracker ?? undefined}
            loadMachines={this._loadMachines ?? undefined}
            batchJobs={this._batchJobs ?? undefined}
            pipelineJobs={this._pipelineJobs ?? undefined}
            pipelineSchedules={this._pipelineSchedules ?? undefined}
          />
        )}
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
  private _onOpen: ((resource: VertexResource) => void) | null;
  private _loadMachines: (() => Promise<ReadonlyArray<IMachineOption>>) | null;
  private _batchJobs: BatchJobs | null;
  private _pipelineJobs: PipelineJobs | null;
  private _pipelineSchedules: PipelineSchedules | null;
}

export namespace VertexPanel {
  export interface IOptions {
    model: IVertexModel;
    translator: ITranslator;
    /**
     * The API, for the actions and the tabs; without it rows do not open.
     */
    api?: IVertexAPI;
    /**
     * Open a resource's tab (a row was clicked).
     */
    onOpen?: (resource: VertexResource) => void;
    /**
     * The machine types and their accelerators (`GET /training/options`).
     */
    loadMachines?: () => Promise<ReadonlyArray<IMachineOption>>;
    /**
     * The Batch jobs list shown in the panel.
     */
    batchJobs?: BatchJobs;
    /**
     * The Pipelines list shown in the panel.
     */
    pipelineJobs?: PipelineJobs;
    /**
     * The Schedules list shown in the panel (once there is a schedule).
     */
    pipelineSchedules?: PipelineSchedules;
  }
}

/**
 * The machine table of `GET /training/options`, fetched once per panel
 * (again after a failure).
 *
 * @param source - the API client, or request options for a client-less call
 */
export function machineLoader(
  source: Pick<IVertexAPI, 'trainingOptions'> | IRequestOptions
): () => Promise<ReadonlyArray<IMachineOption>> {
  const fetch = (): Promise<{ machineTypes: IMachineOption[] }> =>
    'trainingOptions' in source
      ? source.trainingOptions()
      : requestAPI('training/options', { method: 'GET' }, source);
  let cached: Promise<ReadonlyArray<IMachineOption>> | null = null;
  return () => {
    if (!cached) {
      cached = fetch().then(
        answer => answer.machineTypes,
        reason => {
          cached = null; // try again next time
          throw reason;
        }
      );
    }
    return cached;
  };
}
