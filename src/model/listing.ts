import { listAll } from '../api/paging';
import { VertexAPIError } from '../api/request';
import { IListState, IRunningState } from './tokens';

/**
 * A list before its first answer.
 */
export function emptyList<T>(): IListState<T> {
  return {
    items: null,
    error: null,
    loading: false,
    truncated: false,
    updated: null
  };
}

/**
 * Poll frequency for an interval in seconds after `failures` failed polls
 * in a row: `interval × 2^failures`, at most 10× the interval and at least
 * one minute.
 */
export function frequency(
  seconds: number,
  failures: number
): {
  interval: number;
  backoff: boolean;
  max: number;
} {
  const base = seconds * 1000;
  const max = Math.max(60_000, base * 10);
  const interval = Math.min(max, base * 2 ** Math.min(failures, 16));
  return { interval, backoff: false, max };
}

export function newestFirst<T extends { createTime?: string | null }>(
  items: T[]
): T[] {
  const time = (item: T) => Date.parse(item.createTime ?? '') || 0;
  return [...items].sort((a, b) => time(b) - time(a));
}

/**
 * Wait for all promises; then reject with the first failure, if any.
 */
export async function settle(promises: Promise<void>[]): Promise<void> {
  const errors = await Promise.all(
    promises.map(p =>
      p.then(
        () => null,
        (error: unknown) => ({ error })
      )
    )
  );
  const failed = errors.find(e => e !== null);
  if (failed) {
    throw failed.error;
  }
}

export function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Fetches one page of a list, given the token of the previous one.
 */
export type FetchPage<T> = (
  token: string | undefined
) => Promise<{ items: T[]; nextPageToken?: string }>;

/**
 * Fetch a whole list into its state: loading, then the items newest first
 * (the old array kept when nothing changed, so views need not redraw) or the
 * error, which is also thrown.
 */
export async function fetchList<
  T extends { createTime?: string | null }
>(options: {
  get: () => IListState<T>;
  set: (state: IListState<T>) => void;
  fetchPage: FetchPage<T>;
  maxItems: number;
}): Promise<void> {
  const { get, set } = options;
  set({ ...get(), loading: true });
  try {
    const { items, truncated } = await listAll(
      options.fetchPage,
      options.maxItems
    );
    const sorted = newestFirst(items);
    const previous = get();
    set({
      items: sameJSON(previous.items, sorted) ? previous.items : sorted,
      error: null,
      loading: false,
      truncated,
      updated: new Date()
    });
  } catch (error) {
    const reason = VertexAPIError.from(error);
    set({ ...get(), error: reason, loading: false });
    throw reason;
  }
}

/**
 * "Running now" before its first answer.
 */
export function emptyRunning(): IRunningState {
  return { value: null, error: null, loading: false, updated: null };
}

/**
 * The model's requests under way, by what they fetch: a refresh asked for
 * while one is under way joins it.
 */
export type InFlight = Record<
  'all' | 'status' | 'models' | 'endpoints' | 'jobs' | 'instances' | 'running',
  Promise<void> | null
>;

export function nothingInFlight(): InFlight {
  return {
    all: null,
    status: null,
    models: null,
    endpoints: null,
    jobs: null,
    instances: null,
    running: null
  };
}
