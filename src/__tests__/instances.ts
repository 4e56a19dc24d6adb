import { Signal } from '@lumino/signaling';
import { IInstance, IOperation } from '../api/types';
import type { IOperationFollower } from '../model/operations';

/**
 * Fixtures of the Workbench instance specs (the instance list, Running now,
 * the create-instance dialog).
 */
export function makeInstance(overrides: Partial<IInstance> = {}): IInstance {
  const id = overrides.id ?? 'gpu-box';
  return {
    name: `projects/local-project/locations/us-central1-a/instances/${id}`,
    id,
    state: 'ACTIVE',
    machineType: 'n1-standard-4',
    acceleratorType: 'NVIDIA_TESLA_T4',
    acceleratorCount: 1,
    bootDisk: { type: 'PD_BALANCED', sizeGb: 150 },
    dataDisk: { type: 'PD_BALANCED', sizeGb: 100 },
    vmImage: {
      project: 'cloud-notebooks-managed',
      family: 'workbench-instances'
    },
    containerImage: null,
    networkTags: [],
    serviceAccount: null,
    labels: {},
    metadata: {},
    proxyUri: '127.0.0.1:40123',
    openUrl: 'http://127.0.0.1:40123/lab?token=abc',
    createTime: '2024-05-01T12:00:00Z',
    creator: 'local-user',
    healthState: null,
    stateReason: null,
    ...overrides
  };
}

/**
 * An instance operation under way (unless overridden).
 */
export function instanceOperation(
  overrides: Partial<IOperation> = {}
): IOperation {
  return {
    name: 'projects/p/locations/us-central1-a/operations/op-1',
    done: false,
    error: null,
    kind: 'other',
    target: null,
    metadata: null,
    ...overrides
  };
}

/**
 * A follower whose operations end when the test says so.
 */
export class FakeFollower implements IOperationFollower {
  operations: Array<{ operation: IOperation; label: string }> = [];
  changed = new Signal<this, void>(this);
  labels: string[] = [];
  private _ends: Array<(op: IOperation) => void> = [];

  track = jest.fn(
    (op: IOperation, options: { label: string }): Promise<IOperation> => {
      const item = { operation: op, label: options.label };
      this.operations = [...this.operations, item];
      this.labels.push(options.label);
      this.changed.emit();
      return new Promise<IOperation>(resolve => {
        this._ends.push(done => {
          this.operations = this.operations.filter(other => other !== item);
          this.changed.emit();
          resolve(done);
        });
      });
    }
  );

  /**
   * End the oldest operation under way.
   */
  finish(): void {
    const end = this._ends.shift();
    end?.({ ...this.operations[0].operation, done: true });
  }
}
