// What the Train dialog sends and reads: the job to create, the choices, the provenance.
/**
 * `POST /jobs`.
 */
export interface ITrainingCreate {
  path: string;
  displayName?: string;
  framework?: 'scikit-learn' | 'xgboost' | 'tensorflow' | 'pytorch';
  frameworkVersion?: string;
  imageUri?: string;
  machineType?: string;
  acceleratorType?: string;
  acceleratorCount?: number;
  replicaCount?: number;
  args?: string[];
  env?: Record<string, string>;
  labels?: Record<string, string>;
  registerModel?: {
    servingContainerImageUri: string;
    modelDisplayName?: string;
    parentModel?: string;
  };
}

/**
 * `GET /training/options`: what a `TrainingCreate` may ask for, from the
 * table the server checks it with.
 */
export interface ITrainingOptions {
  region: string;
  defaultFramework: string;
  defaultMachineType: string;
  frameworks: Array<{
    name: NonNullable<ITrainingCreate['framework']>;
    /** The first is the default. */
    versions: Array<{ version: string; gpu: boolean }>;
  }>;
  machineTypes: ITrainingMachine[];
  /** Vertex AI's prebuilt prediction image per framework. */
  servingImages: Record<string, string>;
}

/**
 * A machine type and the accelerators it takes (none: CPU only).
 */
export interface ITrainingMachine {
  machineType: string;
  acceleratorTypes: string[];
  acceleratorCounts: number[];
  /** a2/a3/g2: the accelerators come with the machine. */
  acceleratorRequired: boolean;
}

/**
 * `GET /training/provenance?path=`: the file's git state now.
 */
export interface ITrainingProvenance {
  path: string;
  kind: 'script' | 'notebook';
  git: { commit: string; branch: string | null; dirty: boolean } | null;
}

/**
 * `POST /artifacts/open`: where a Cloud Storage artifact was copied, relative
 * to the Jupyter root.
 */
export interface IArtifactCopy {
  uri: string;
  path: string;
  kind: 'notebook' | 'file' | 'directory';
  files: number;
  bytes: number;
}
