import { ISignal, Signal } from '@lumino/signaling';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { ILogEntry, JobKind, JobState } from '../api/types';
import { isTerminal } from './states';

/**
 * Follows a job's log: fetches newer lines by passing back the answer's
 * cursor, until the job has ended and its last lines are in.
 */
export class LogFollower {
  constructor(options: LogFollower.IOptions) {
    this._api = options.api;
    this._kind = options.kind;
    this._jobId = options.jobId;
    this._pageSize = options.pageSize ?? LogFollower.PAGE_SIZE;
    this._interval = options.interval ?? LogFollower.INTERVAL;
    this._maxLines = options.maxLines ?? LogFollower.MAX_LINES;
    this._isActive = options.isActive ?? (() => true);
  }

  /**
   * Emitted when lines, state or error change.
   */
  get changed(): ISignal<LogFollower, void> {
    return this._changed;
  }

  get entries(): ReadonlyArray<ILogEntry> {
    return this._entries;
  }

  /**
   * How many of the oldest lines were dropped to stay under `maxLines`.
   */
  get dropped(): number {
    return this._dropped;
  }

  get cursor(): string | null {
    return this._cursor;
  }

  get state(): JobState | null {
    return this._state;
  }

  get error(): VertexAPIError | null {
    return this._error;
  }

  /**
   * Whether following is over (the job ended and its log is read, or
   * `stop()` was called).
   */
  get done(): boolean {
    return this._done;
  }

  /**
   * Fetch one page of newer lines. Resolves `true` while there may be more
   * to follow.
   */
  async step(): Promise<boolean> {
    if (this._done) {
      return false;
    }
    let page;
    try {
      page = await this._api.jobLogs(this._kind, this._jobId, {
        cursor: this._cursor,
        pageSize: this._pageSize
      });
    } catch (error) {
      if (this._done) {
        return false;
      }
      this._error = VertexAPIError.from(error);
      this._changed.emit();
      return true;
    }
    if (this._done) {
      return false;
    }
    this._error = null;
    this._state = page.state;
    if (page.cursor) {
      this._cursor = page.cursor;
    }
    if (page.entries.length) {
      this._entries = this._entries.concat(page.entries);
      const excess = this._entries.length - this._maxLines;
      if (excess > 0) {
        this._entries = this._entries.slice(excess);
        this._dropped += excess;
      }
    }
    const full = page.entries.length >= this._pageSize;
    if (isTerminal(page.state) && !full) {
      // The job had ended when this page was read, and the page was not
      // full: nothing newer will come.
      this._done = true;
    }
    this._more = full;
    this._changed.emit();
    return !this._done;
  }

  /**
   * Follow until the job ended or `stop()`: a full page is followed at
   * once, otherwise after `interval` ms (longer after errors).
   */
  async start(): Promise<void> {
    let failures = 0;
    while (!this._done) {
      if (!this._isActive()) {
        // Hidden: no requests until the view is shown again.
        await this._sleep(this._interval);
        continue;
      }
      const more = await this.step();
      if (!more) {
        break;
      }
      failures = this._error ? failures + 1 : 0;
      const wait = this._more
        ? 0
        : Math.min(this._interval * 2 ** failures, 60_000);
      await this._sleep(wait);
    }
  }

  private _sleep(ms: number): Promise<void> {
    return new Promise<void>(resolve => {
      this._wake = resolve;
      this._timer = setTimeout(resolve, ms);
    });
  }

  /**
   * Stop following (the view closed).
   */
  stop(): void {
    this._done = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this._wake?.();
    Signal.clearData(this);
  }

  private _api: IVertexAPI;
  private _kind: JobKind;
  private _jobId: string;
  private _pageSize: number;
  private _interval: number;
  private _maxLines: number;
  private _isActive: () => boolean;
  private _entries: ILogEntry[] = [];
  private _dropped = 0;
  private _cursor: string | null = null;
  private _state: JobState | null = null;
  private _error: VertexAPIError | null = null;
  private _done = false;
  private _more = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _wake: (() => void) | null = null;
  private _changed = new Signal<LogFollower, void>(this);
}

export namespace LogFollower {
  export interface IOptions {
    api: IVertexAPI;
    kind: JobKind;
    jobId: string;
    pageSize?: number;
    /**
     * Milliseconds between fetches while the job runs.
     */
    interval?: number;
    /**
     * Keep at most this many lines (the oldest go first).
     */
    maxLines?: number;
    /**
     * Whether the log is shown; while it is not, following pauses.
     */
    isActive?: () => boolean;
  }

  export const PAGE_SIZE = 500;
  export const INTERVAL = 2000;
  export const MAX_LINES = 5000;
}
