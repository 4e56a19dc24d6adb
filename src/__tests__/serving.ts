import { Notification } from '@jupyterlab/apputils';
import { IOperation } from '../api/types';
import { IMachineOption } from '../dialogs/deploy/DeployDialog';
import { makeEndpoint, mockedShowDialog } from './fakes';

/**
 * Fixtures of the serving specs (deploy dialog, model and endpoint views,
 * their routes, the operation tracker). The specs that use `mockedEmit` and
 * `mockedUpdate` mock `@jupyterlab/apputils` with `withNotifications()` from
 * `./apputils`.
 */
export const mockedEmit = Notification.emit as jest.Mock;
export const mockedUpdate = Notification.update as jest.Mock;

/**
 * Between tests: the mocked dialog and notifications forgotten, real timers.
 */
export function resetServingMocks(): void {
  mockedShowDialog.mockReset();
  mockedEmit.mockClear();
  mockedUpdate.mockClear();
  jest.useRealTimers();
}

// The server's table for a few machines (GET /training/options).
export const MACHINES: IMachineOption[] = [
  {
    machineType: 'n1-standard-4',
    acceleratorTypes: ['NVIDIA_TESLA_T4', 'NVIDIA_TESLA_V100'],
    acceleratorCounts: [1, 2, 4, 8],
    acceleratorRequired: false
  },
  {
    machineType: 'e2-standard-4',
    acceleratorTypes: [],
    acceleratorCounts: [],
    acceleratorRequired: false
  },
  {
    machineType: 'g2-standard-24',
    acceleratorTypes: ['NVIDIA_L4'],
    acceleratorCounts: [2],
    acceleratorRequired: true
  }
];

/**
 * A deployment to endpoint 5678 under way (unless overridden).
 */
export function deployOperation(
  overrides: Partial<IOperation> = {}
): IOperation {
  return {
    name: 'projects/123/locations/us-central1/endpoints/5678/operations/9',
    done: false,
    error: null,
    kind: 'deploy',
    target: '5678',
    metadata: null,
    ...overrides
  };
}

/**
 * Endpoint 5678 serving two versions of model 1234, 80/20.
 */
export const DEPLOYED_ENDPOINT = makeEndpoint({
  id: '5678',
  displayName: 'digits-endpoint',
  deployedModels: [
    {
      id: '111',
      model: 'projects/123/locations/us-central1/models/1234',
      modelVersionId: '1',
      displayName: 'digits-v1'
    },
    {
      id: '222',
      model: 'projects/123/locations/us-central1/models/1234',
      modelVersionId: '2',
      displayName: 'digits-v2'
    }
  ],
  trafficSplit: { '111': 80, '222': 20 }
});
