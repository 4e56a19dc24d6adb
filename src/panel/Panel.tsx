import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';
import { Signal } from '@lumino/signaling';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { IRequestOptions, requestAPI } from '../api/request';
import { IJob, JobKind } from '../api/types';
import { IVertexModel } from '../model/tokens';
import { PANEL_ID } from '../tokens';
import { IMachineOption } from '../dialogs/deploy/DeployDialog';
import { ModelDetail } from '../views/ModelDetail';
import { ArtifactOpener } from '../views/Provenance';
import { OperationTracker } from '../model/operations';
import { PanelRoute, VertexPanelView } from './PanelView';

export * from './PanelView';

/**
 * The left-sidebar panel. It tells the model whether it is visible, so that
 * polling pauses while it is not, and keeps which detail is shown.
 */
export class VertexPanel extends ReactWidget {
  constructor(options: VertexPanel.IOptions) {
    super();
    this.model = options.model;
    this.api = options.api ?? null;
    this._trans = options.translator.load('jupyter_vertex');
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
    this._openArtifact = options.openArtifact;
  }

  readonly model: IVertexModel;
  readonly api: IVertexAPI | null;
  /**
   * Follows the deploy and undeploy operations started from the panel.
   */
  readonly tracker: OperationTracker | null;

  /**
   * Defaults of the Deploy dialog (from the settings).
   */
  get preferences(): ModelDetail.IPreferences {
    return this._preferences;
  }
  set preferences(value: ModelDetail.IPreferences) {
    this._preferences = { ...value };
    this._routeChanged.emit();
  }

  /**
   * The detail shown, if any.
   */
  get route(): PanelRoute | null {
    return this._route;
  }

  /**
   * The job whose details are shown, if any.
   */
  get selectedJob(): { kind: JobKind; id: string } | null {
    const route = this._route;
    return route?.kind === 'job' ? { kind: route.jobKind, id: route.id } : null;
  }

  /**
   * Show a job's details (e.g. from a notification after training started).
   */
  showJob(job: { kind: JobKind; id: string }, data?: IJob): void {
    this._selectedJobData = data ?? null;
    this.showRoute({ kind: 'job', jobKind: job.kind, id: job.id });
  }

  showModel(modelId: string): void {
    this.showRoute({ kind: 'model', id: modelId });
  }

  showEndpoint(endpointId: string): void {
    this.showRoute({ kind: 'endpoint', id: endpointId });
  }

  /**
   * Show a detail view; Back returns to where the user came from.
   */
  showRoute(route: PanelRoute): void {
    if (this._route) {
      this._history.push(this._route);
    }
    this._route = route;
    this._routeChanged.emit();
  }

  /**
   * Back to the previous detail, or to the lists, where the row of the
   * detail just left gets the focus again.
   */
  showLists(): void {
    const previous = this._route;
    this._route = this._history.pop() ?? null;
    if (!this._route) {
      this._selectedJobData = null;
    }
    this._routeChanged.emit();
    if (previous && !this._route) {
      requestAnimationFrame(() => {
        const id = CSS.escape(previous.id);
        const selector =
          previous.kind === 'job'
            ? `.jp-Vertex-JobRow[data-job-id="${id}"]`
            : previous.kind === 'model'
              ? `.jp-Vertex-ModelRow[data-model-id="${id}"]`
              : `.jp-Vertex-EndpointRow[data-endpoint-id="${id}"]`;
        this.node.querySelector<HTMLElement>(selector)?.focus();
      });
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.tracker?.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this._routeChanged}>
        {() => (
          <UseSignal signal={this.model.stateChanged}>
            {() => (
              <VertexPanelView
                model={this.model}
                trans={this._trans}
                api={this.api ?? undefined}
                route={this.api ? this._route : null}
                selectedJobData={this._selectedJobData}
                onOpen={route => {
                  this._history = [];
                  if (route.kind === 'job') {
                    const job = (this.model.jobs.items ?? []).find(
                      item =>
                        item.kind === route.jobKind && item.id === route.id
                    );
                    this._selectedJobData = job ?? null;
                  }
                  this.showRoute(route);
                }}
                onBack={() => this.showLists()}
                tracker={this.tracker ?? undefined}
                loadMachines={this._loadMachines ?? undefined}
                preferences={this._preferences}
                onOpenArtifact={this._openArtifact}
              />
            )}
          </UseSignal>
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
  private _route: PanelRoute | null = null;
  private _history: PanelRoute[] = [];
  private _selectedJobData: IJob | null = null;
  private _preferences: ModelDetail.IPreferences = {};
  private _loadMachines: (() => Promise<ReadonlyArray<IMachineOption>>) | null;
  private _openArtifact: ArtifactOpener | undefined;
  private _routeChanged = new Signal<this, void>(this);
}

export namespace VertexPanel {
  export interface IOptions {
    model: IVertexModel;
    translator: ITranslator;
    /**
     * The API, for the detail views; without it rows do not open.
     */
    api?: IVertexAPI;
    /**
     * The machine types and their accelerators (`GET /training/options`).
     */
    loadMachines?: () => Promise<ReadonlyArray<IMachineOption>>;
    /**
     * Opens an artifact copied into the Jupyter root (documents, file browser).
     */
    openArtifact?: ArtifactOpener;
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
