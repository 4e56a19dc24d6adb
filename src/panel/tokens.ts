import { Token } from '@lumino/coreutils';
import type { IJob, ITrainingMachine } from '../api/types';
import type { IOperationFollower } from '../model/operations';
import type { VertexResource } from '../tabs/resources';

/**
 * What the commands (Train on Vertex, Create Workbench Instance) need from
 * the panel plugin: where to show what they made, and the panel's helpers.
 * Named for intent: "open a job" opens its main-area tab.
 */
export interface IVertexNavigator {
  /**
   * Bring the Vertex AI panel forward (e.g. where a new instance appears).
   */
  reveal(): void;
  /**
   * Open a job's, model's, endpoint's or instance's main-area tab, or bring
   * it forward if open.
   */
  open(resource: VertexResource): void;
  /**
   * Open a job's tab (e.g. the job Train on Vertex just created), showing
   * this copy of it until fetched.
   */
  openJob(job: IJob): void;
  /**
   * Follows long-running operations to their end (the one the panel's
   * deployments use); `null` without one.
   */
  readonly operations: IOperationFollower | null;
  /**
   * The machine types and their accelerators (`GET /training/options`),
   * fetched once.
   */
  loadMachines(): Promise<ReadonlyArray<ITrainingMachine>>;
}

export const IVertexNavigator = new Token<IVertexNavigator>(
  'jupyter-vertex:IVertexNavigator',
  'Where the Vertex AI commands show what they made: the panel, the main-area tabs of jobs, models, endpoints and instances, and the operation tracker.'
);
