import { Token } from '@lumino/coreutils';
import type { IJob, ITrainingMachine } from '../api/types';
import type { IOperationFollower } from '../model/operations';

/**
 * What the commands (Train on Vertex, Create Workbench Instance) need from
 * the panel plugin: where to show what they made, and the panel's helpers.
 * Named for intent, so that "open a job" may later open a main-area tab
 * without the commands changing.
 */
export interface IVertexNavigator {
  /**
   * Bring the Vertex AI panel forward (e.g. where a new instance appears).
   */
  reveal(): void;
  /**
   * Show a job's details (e.g. the job Train on Vertex just created).
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
  'Where the Vertex AI commands show what they made: the panel, its job details and its operation tracker.'
);
