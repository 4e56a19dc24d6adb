import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { JobKind } from '../api/types';

/**
 * What a main-area tab shows: one job, model, endpoint, Workbench instance
 * batch prediction job or pipeline run. Also the arguments of the open command, so a restored layout
 * opens the same tabs again.
 */
export type VertexResource =
  | { kind: 'job'; jobKind: JobKind; id: string }
  | { kind: 'model'; id: string }
  | { kind: 'endpoint'; id: string }
  | { kind: 'instance'; id: string }
  | { kind: 'batchJob'; id: string }
  | { kind: 'pipelineJob'; id: string };

export type ResourceKind = VertexResource['kind'];

const JOB_KINDS: ReadonlyArray<JobKind> = ['customJob', 'trainingPipeline'];

/**
 * The resource named by the open command's arguments, or `null` when they
 * name none (a command run by hand with bad arguments opens nothing).
 */
export function resourceFromArgs(
  args: ReadonlyPartialJSONObject
): VertexResource | null {
  const id = args['id'];
  if (typeof id !== 'string' || id === '') {
    return null;
  }
  switch (args['kind']) {
    case 'job': {
      const jobKind = args['jobKind'] ?? 'customJob';
      return JOB_KINDS.includes(jobKind as JobKind)
        ? { kind: 'job', jobKind: jobKind as JobKind, id }
        : null;
    }
    case 'model':
    case 'endpoint':
    case 'instance':
    case 'batchJob':
    case 'pipelineJob':
      return { kind: args['kind'], id };
    default:
      return null;
  }
}

/**
 * The open command's arguments for a resource (JSON, for the restorer).
 */
export function argsOf(resource: VertexResource): ReadonlyPartialJSONObject {
  return resource.kind === 'job'
    ? { kind: 'job', jobKind: resource.jobKind, id: resource.id }
    : { kind: resource.kind, id: resource.id };
}

/**
 * The DOM id of a resource's tab: one tab per resource. Ids are made of
 * letters, digits and dashes on both backends; anything else is escaped so
 * that the id stays a valid, unique one.
 */
export function tabId(resource: VertexResource): string {
  const parts: string[] = ['jp-vertex-tab', resource.kind];
  if (resource.kind === 'job') {
    parts.push(resource.jobKind);
  }
  parts.push(
    resource.id.replace(/[^A-Za-z0-9_-]/g, c => `_${c.charCodeAt(0)}`)
  );
  return parts.join('-');
}
