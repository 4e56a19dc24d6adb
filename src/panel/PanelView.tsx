import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IVertexModel } from '../model/tokens';
import { Banner } from '../components/Banner';
import { IMachineOption } from '../dialogs/deploy/DeployDialog';
import type { VertexResource } from '../tabs/resources';
import { BatchJobs } from '../model/batchJobs';
import { BatchJobsSection } from './BatchJobList';
import { PipelineJobs } from '../model/pipelineJobs';
import { PipelineJobsSection } from './PipelineJobList';
import { PipelineSchedules } from '../model/pipelineSchedules';
import { PipelineSchedulesSection } from './PipelineScheduleList';
import { EndpointList } from './EndpointList';
import { Header } from './Header';
import { InstancesSection } from './InstanceList';
import { JobList } from './JobList';
import { ModelList } from './ModelList';
import { OperationTracker } from '../model/operations';
import { RunningNowSection } from './RunningNow';

/**
 * The view of the panel's state; no state of its own. Details open as
 * main-area tabs (`onOpen`), never inside the sidebar.
 */
export function VertexPanelView(props: VertexPanelView.IProps): JSX.Element {
  const { model, trans } = props;
  const { status, statusError } = model;
  const backend = status?.backend ?? null;
  // A list failing for the same reason as the status would only repeat the
  // banner above it.
  const hideError = (error: VertexAPIError) =>
    statusError !== null && error.reason === statusError.reason;
  const refreshAll = () => {
    void model.refresh();
    void props.batchJobs?.refresh().catch(() => undefined);
    void props.pipelineJobs?.refresh().catch(() => undefined);
    void props.pipelineSchedules?.refresh().catch(() => undefined);
  };
  const open = props.api ? props.onOpen : undefined;
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
        {props.api && status?.capabilities.includes('instances') ? (
          <RunningNowSection
            model={model}
            api={props.api}
            follower={props.tracker ?? null}
            trans={trans}
            hideError={hideError}
          />
        ) : null}
        {status && !status.capabilities.includes('training') ? null : (
          <JobList
            state={model.jobs}
            trans={trans}
            onRefresh={() => void model.refreshJobs()}
            onOpen={
              open
                ? item => open({ kind: 'job', jobKind: item.kind, id: item.id })
                : undefined
            }
            hideError={hideError}
            api={props.api}
            filter={model.jobFilter}
            onFilterChange={filter => {
              model.jobFilter = filter;
            }}
          />
        )}
        <ModelList
          state={model.models}
          trans={trans}
          backend={backend}
          onRefresh={() => void model.refreshModels()}
          endpoints={model.endpoints.items}
          onOpen={
            open ? item => open({ kind: 'model', id: item.id }) : undefined
          }
          hideError={hideError}
        />
        <EndpointList
          state={model.endpoints}
          trans={trans}
          backend={backend}
          onRefresh={() => void model.refreshEndpoints()}
          onOpen={
            open ? item => open({ kind: 'endpoint', id: item.id }) : undefined
          }
          hideError={hideError}
        />
        {props.batchJobs &&
        (!status || status.capabilities.includes('models')) ? (
          <BatchJobsSection
            batchJobs={props.batchJobs}
            trans={trans}
            onOpen={
              open ? job => open({ kind: 'batchJob', id: job.id }) : undefined
            }
            hideError={hideError}
          />
        ) : null}
        {props.pipelineJobs ? (
          <PipelineJobsSection
            pipelineJobs={props.pipelineJobs}
            trans={trans}
            onOpen={
              open
                ? job => open({ kind: 'pipelineJob', id: job.id })
                : undefined
            }
            hideError={hideError}
          />
        ) : null}
        {props.pipelineSchedules && props.api ? (
          <PipelineSchedulesSection
            schedules={props.pipelineSchedules}
            api={props.api}
            trans={trans}
            hideError={hideError}
          />
        ) : null}
        {props.api && status?.capabilities.includes('instances') ? (
          <InstancesSection
            model={model}
            api={props.api}
            follower={props.tracker ?? null}
            trans={trans}
            loadMachines={props.loadMachines}
            hideError={hideError}
            onOpen={
              open ? item => open({ kind: 'instance', id: item.id }) : undefined
            }
          />
        ) : null}
      </div>
    </div>
  );
}

export namespace VertexPanelView {
  export interface IProps {
    model: IVertexModel;
    trans: TranslationBundle;
    /**
     * The API, for the actions; without it rows do not open.
     */
    api?: IVertexAPI;
    /**
     * Open a resource's main-area tab (a row was clicked).
     */
    onOpen?: (resource: VertexResource) => void;
    /**
     * Follows deploy, undeploy and instance operations (one per panel).
     */
    tracker?: OperationTracker;
    /**
     * The machine types and their accelerators for the dialogs.
     */
    loadMachines?: () => Promise<ReadonlyArray<IMachineOption>>;
    /**
     * The Batch jobs list; without it the section is not shown.
     */
    batchJobs?: BatchJobs;
    /**
     * The Pipelines list; without it the section is not shown.
     */
    pipelineJobs?: PipelineJobs;
    /**
     * The Schedules list; without it (or while it is empty) the section is
     * not shown.
     */
    pipelineSchedules?: PipelineSchedules;
  }
}
