import * as paths from './paths';
import { RequestClient } from './requestClient';
import type { IVertexAPI } from './vertexAPI';
import {
  IListPipelineJobsResponse,
  IListPipelineSchedulesResponse,
  IPipelineJob,
  IPipelineJobCreated,
  IPipelinePreview,
  IPipelineRunRequest,
  IPipelineSchedule
} from './types';

/**
 * The REST client's Vertex AI Pipelines calls: previews and runs of pipelines
 * of the Jupyter root, their jobs, and the schedules of runs.
 */
export class PipelinesClient extends RequestClient {
  previewPipeline(body: IPipelineRunRequest): Promise<IPipelinePreview> {
    return this._send<IPipelinePreview>('POST', 'pipelines/preview', body);
  }

  createPipelineJob(body: IPipelineRunRequest): Promise<IPipelineJobCreated> {
    return this._send<IPipelineJobCreated>('POST', 'pipelineJobs', body);
  }

  async listPipelineJobs(
    options: IVertexAPI.IListJobsOptions = {}
  ): Promise<IListPipelineJobsResponse> {
    const answer = await this._get<Partial<IListPipelineJobsResponse>>(
      'pipelineJobs' + paths.query({ ...options })
    );
    return {
      pipelineJobs: answer?.pipelineJobs ?? [],
      nextPageToken: answer?.nextPageToken ?? null
    };
  }

  getPipelineJob(pipelineJobId: string): Promise<IPipelineJob> {
    return this._get<IPipelineJob>(paths.pipelinePath(pipelineJobId));
  }

  cancelPipelineJob(pipelineJobId: string): Promise<IPipelineJob> {
    return this._send('POST', `${paths.pipelinePath(pipelineJobId)}/cancel`);
  }

  async deletePipelineJob(pipelineJobId: string): Promise<void> {
    await this._send<void>('DELETE', paths.pipelinePath(pipelineJobId));
  }

  rerunPipelineJob(
    pipelineJobId: string,
    body: Omit<IPipelineRunRequest, 'path' | 'pipeline'>
  ): Promise<IPipelineJobCreated> {
    return this._send(
      'POST',
      `${paths.pipelinePath(pipelineJobId)}/rerun`,
      body
    );
  }

  async listPipelineSchedules(
    options: Pick<IVertexAPI.IListJobsOptions, 'pageSize' | 'pageToken'> = {}
  ): Promise<IListPipelineSchedulesResponse> {
    const answer = await this._get<Partial<IListPipelineSchedulesResponse>>(
      'pipelineSchedules' + paths.query({ ...options })
    );
    return {
      schedules: answer?.schedules ?? [],
      nextPageToken: answer?.nextPageToken ?? null
    };
  }

  pausePipelineSchedule(scheduleId: string): Promise<IPipelineSchedule> {
    return this._send('POST', `${paths.schedulePath(scheduleId)}/pause`);
  }

  resumePipelineSchedule(
    scheduleId: string,
    catchUp = false
  ): Promise<IPipelineSchedule> {
    return this._send('POST', `${paths.schedulePath(scheduleId)}/resume`, {
      catchUp
    });
  }

  async deletePipelineSchedule(scheduleId: string): Promise<void> {
    await this._send<void>('DELETE', paths.schedulePath(scheduleId));
  }
}
