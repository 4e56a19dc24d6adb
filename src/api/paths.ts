import { IListOptions, JobKind } from './types';

// The server extension's URL paths and query strings, as the client builds them.

/**
 * The query string of list options (leading `?`, or empty).
 */
export function query(
  options: IListOptions | Record<string, string | number | undefined>
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * One path segment; keeps `@` of `123@2` (model version ids) readable.
 */
export function segment(id: string): string {
  return encodeURIComponent(id).replace(/%40/g, '@');
}

export function batchPath(batchJobId: string): string {
  return `batchPredictionJobs/${encodeURIComponent(batchJobId)}`;
}

export function pipelinePath(pipelineJobId: string): string {
  return `pipelineJobs/${encodeURIComponent(pipelineJobId)}`;
}

export function schedulePath(scheduleId: string): string {
  return `pipelineSchedules/${encodeURIComponent(scheduleId)}`;
}

export function jobPath(kind: JobKind, jobId: string): string {
  return `jobs/${encodeURIComponent(kind)}/${encodeURIComponent(jobId)}`;
}
