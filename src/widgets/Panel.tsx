import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';
import { Signal } from '@lumino/signaling';
import { IVertexAPI } from '../api';
import { vertexIcon } from '../icons';
import { VertexAPIError } from '../request';
import { IJob, IVertexModel, JobKind, PANEL_ID } from '../tokens';
import { Banner } from './Banner';
import { EndpointList } from './EndpointList';
import { Header } from './Header';
import { JobDetail } from './JobDetail';
import { JobList } from './JobList';
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
  const selected = props.selectedJob ?? null;
  const job: IJob | null = selected
    ? ((model.jobs.items ?? []).find(
        item => item.kind === selected.kind && item.id === selected.id
      ) ??
      props.selectedJobData ??
      null)
    : null;
  if (selected && props.api && props.onBack) {
    const onBack = props.onBack;
    return (
      <div className="jp-Vertex-PanelView">
        <Header
          status={status}
          statusError={statusError}
          trans={trans}
          onRefresh={refreshAll}
          busy={model.jobs.loading}
        />
        <div className="jp-Vertex-PanelView-body">
          {job ? (
            <JobDetail
              api={props.api}
              job={job}
              trans={trans}
              onBack={onBack}
              onChanged={() => void model.refreshJobs()}
              isActive={() => model.active}
            />
          ) : (
            <div className="jp-Vertex-JobDetail">
              <div className="jp-Vertex-placeholder">
                {model.jobs.items === null
                  ? trans.__('Loading job…')
                  : trans.__('This job no longer exists.')}
              </div>
              <button
                type="button"
                className="jp-Button jp-mod-styled jp-Vertex-action"
                onClick={onBack}
              >
                {trans.__('Back to the list')}
              </button>
            </div>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="jp-Vertex-PanelView">
      <Header
        status={status}
        statusError={statusError}
        trans={trans}
        onRefresh={refreshAll}
        busy={
          model.models.loading || model.endpoints.loading || model.jobs.loading
        }
      />
      {statusError ? (
        <Banner error={statusError} trans={trans} onRetry={refreshAll} />
      ) : null}
      <div className="jp-Vertex-PanelView-body">
        {status && !status.capabilities.includes('training') ? null : (
          <JobList
            state={model.jobs}
            trans={trans}
            onRefresh={() => void model.refreshJobs()}
            onOpen={item => props.onOpenJob?.(item)}
            hideError={hideError}
          />
        )}
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
    /**
     * The API, for the job details (logs, cancel, code).
     */
    api?: IVertexAPI;
    /**
     * The job whose details are shown instead of the lists.
     */
    selectedJob?: { kind: JobKind; id: string } | null;
    /**
     * The selected job as last fetched, until the list has it.
     */
    selectedJobData?: IJob | null;
    onOpenJob?: (job: IJob) => void;
    onBack?: () => void;
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
    this.api = options.api ?? null;
    this._trans = options.translator.load('jupyter_vertex');
    this.id = PANEL_ID;
    this.addClass('jp-Vertex-panel');
    this.title.icon = vertexIcon;
    this.title.caption = this._trans.__('Vertex AI');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Vertex AI panel'));
  }

  readonly model: IVertexModel;
  readonly api: IVertexAPI | null;

  /**
   * The job whose details are shown, if any.
   */
  get selectedJob(): { kind: JobKind; id: string } | null {
    return this._selected;
  }

  /**
   * Show a job's details (e.g. from a notification after training started).
   */
  showJob(job: { kind: JobKind; id: string }, data?: IJob): void {
    this._selected = { kind: job.kind, id: job.id };
    this._selectedData = data ?? null;
    this._selectionChanged.emit();
  }

  /**
   * Back to the lists; the job's row gets the focus again.
   */
  showLists(): void {
    const previous = this._selected;
    this._selected = null;
    this._selectedData = null;
    this._selectionChanged.emit();
    if (previous) {
      requestAnimationFrame(() => {
        const row = this.node.querySelector<HTMLElement>(
          `.jp-Vertex-JobRow[data-job-id="${CSS.escape(previous.id)}"]`
        );
        row?.focus();
      });
    }
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this._selectionChanged}>
        {() => (
          <UseSignal signal={this.model.stateChanged}>
            {() => (
              <VertexPanelView
                model={this.model}
                trans={this._trans}
                api={this.api ?? undefined}
                selectedJob={this.api ? this._selected : null}
                selectedJobData={this._selectedData}
                onOpenJob={job => this.showJob(job, job)}
                onBack={() => this.showLists()}
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
  private _selected: { kind: JobKind; id: string } | null = null;
  private _selectedData: IJob | null = null;
  private _selectionChanged = new Signal<this, void>(this);
}

export namespace VertexPanel {
  export interface IOptions {
    model: IVertexModel;
    translator: ITranslator;
    /**
     * The API, for the job details; without it rows do not open.
     */
    api?: IVertexAPI;
  }
}
