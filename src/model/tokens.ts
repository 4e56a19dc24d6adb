import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';
import type { VertexAPIError } from '../api/request';
import type {
  IEndpoint,
  IInstance,
  IJob,
  IJobFilter,
  IModel,
  IRunningNow,
  IStatus
} from '../api/types';

/**
 * One list of the panel (models, endpoints, ...).
 */
export interface IListState<T> {
  /**
   * The items, or `null` before the first answer.
   */
  readonly items: ReadonlyArray<T> | null;
  /**
   * The error of the last attempt, if it failed.
   */
  readonly error: VertexAPIError | null;
  /**
   * Whether a request is under way.
   */
  readonly loading: boolean;
  /**
   * Whether more items exist than were fetched.
   */
  readonly truncated: boolean;
  /**
   * When the items were last fetched.
   */
  readonly updated: Date | null;
}

/**
 * The panel's state and its polling, provided to other plugins so they can
 * read it or ask for a refresh (e.g. after they deployed a model).
 */
export interface IVertexModel {
  /**
   * The server's status, or `null` before the first answer or if it failed.
   */
  readonly status: IStatus | null;
  /**
   * Why `GET /status` failed, if it did (e.g. 503 CONFIGURATION).
   */
  readonly statusError: VertexAPIError | null;
  readonly models: IListState<IModel>;
  readonly endpoints: IListState<IEndpoint>;
  readonly jobs: IListState<IJob>;
  /**
   * Workbench instances; fetched only when the server has the `instances`
   * capability (as is "running now").
   */
  readonly instances: IListState<IInstance>;
  /**
   * What keeps running (and costing): `GET /running`.
   */
  readonly running: IRunningState;
  /**
   * Emitted whenever any of the above changes.
   */
  readonly stateChanged: ISignal<IVertexModel, void>;
  /**
   * Whether the panel is visible; polling pauses while it is not.
   */
  active: boolean;
  /**
   * Polling interval in seconds.
   */
  pollInterval: number;
  /**
   * Fetch status, models and endpoints now; resolves when done.
   */
  refresh(): Promise<void>;
  refreshModels(): Promise<void>;
  refreshEndpoints(): Promise<void>;
  refreshJobs(): Promise<void>;
  /**
   * Only jobs of this kind and state are listed (server-side); setting it
   * fetches the jobs again.
   */
  jobFilter: IJobFilter;
  refreshInstances(): Promise<void>;
  refreshRunning(): Promise<void>;
}

/**
 * The panel's "Running now" summary and how its last fetch went.
 */
export interface IRunningState {
  /**
   * The summary, or `null` before the first answer.
   */
  readonly value: IRunningNow | null;
  readonly error: VertexAPIError | null;
  readonly loading: boolean;
  readonly updated: Date | null;
}

export const IVertexModel = new Token<IVertexModel>(
  'jupyter-vertex:IVertexModel',
  'The state of the Vertex AI panel: status, models and endpoints, kept fresh by polling.'
);
