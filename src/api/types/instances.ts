// Workbench instances.
export type InstanceState =
  | 'STATE_UNSPECIFIED'
  | 'STARTING'
  | 'PROVISIONING'
  | 'ACTIVE'
  | 'STOPPING'
  | 'STOPPED'
  | 'DELETED'
  | 'UPGRADING'
  | 'INITIALIZING'
  | 'SUSPENDING'
  | 'SUSPENDED'
  | 'DELETING'
  | 'FAILED';

export interface IDisk {
  type: string;
  sizeGb: number;
}

/**
 * A Workbench instance (Notebooks API v2).
 */
export interface IInstance {
  name: string;
  id: string;
  state: InstanceState;
  machineType: string;
  acceleratorType: string | null;
  acceleratorCount: number;
  bootDisk: IDisk;
  dataDisk: IDisk | null;
  vmImage: { project: string; family?: string; name?: string } | null;
  containerImage: { repository: string; tag?: string } | null;
  networkTags: string[];
  serviceAccount: string | null;
  labels: Record<string, string>;
  metadata: Record<string, string>;
  proxyUri: string | null;
  openUrl: string | null;
  createTime: string;
  updateTime?: string;
  creator: string | null;
  healthState: string | null;
  /**
   * Why a FAILED instance failed (e.g. its server could not start).
   */
  stateReason: string | null;
}

export interface IInstanceCreate {
  instanceId: string;
  machineType?: string;
  acceleratorType?: string;
  acceleratorCount?: number;
  installGpuDriver?: boolean;
  bootDiskType?: string;
  bootDiskSizeGb?: number;
  dataDiskType?: string;
  dataDiskSizeGb?: number;
  vmImageFamily?: string;
  containerImage?: { repository: string; tag?: string };
  postStartupScript?: string;
  metadata?: Record<string, string>;
  networkTags?: string[];
  serviceAccount?: string;
  labels?: Record<string, string>;
}

export interface IListInstancesResponse {
  instances: IInstance[];
  nextPageToken?: string;
}
