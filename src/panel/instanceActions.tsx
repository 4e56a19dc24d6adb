import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { IInstance, OperationKind } from '../api/types';
import type { IOperationFollower } from '../model/operations';

export type InstanceAction = 'start' | 'stop' | 'reset' | 'delete';

const ACTION_KINDS: Record<InstanceAction, OperationKind> = {
  start: 'startInstance',
  stop: 'stopInstance',
  reset: 'resetInstance',
  delete: 'deleteInstance'
};

const INSTANCE_KINDS = new Set<OperationKind>([
  'createInstance',
  ...Object.values(ACTION_KINDS)
]);

/**
 * The instance operations under way, by instance id (re-rendered on change).
 */
export function useInstanceOperations(
  follower: IOperationFollower | null
): Map<string, OperationKind> {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!follower) {
      return;
    }
    const changed = () => setTick(tick => tick + 1);
    follower.changed.connect(changed);
    return () => {
      follower.changed.disconnect(changed);
    };
  }, [follower]);
  const pending = new Map<string, OperationKind>();
  for (const { operation } of follower?.operations ?? []) {
    if (operation.target && INSTANCE_KINDS.has(operation.kind)) {
      pending.set(operation.target, operation.kind);
    }
  }
  return pending;
}

/**
 * Start an action on an instance and follow its operation.
 *
 * Resolves once the operation has started (the follower reports its end);
 * rejects with the server's refusal (e.g. a 409 for a state that forbids it).
 */
export async function runInstanceAction(options: {
  api: IVertexAPI;
  follower: IOperationFollower | null;
  instance: Pick<IInstance, 'id'>;
  action: InstanceAction;
  trans: TranslationBundle;
  onEnded?: () => void;
}): Promise<void> {
  const { api, follower, instance, action, trans } = options;
  const operation =
    action === 'delete'
      ? await api.deleteInstance(instance.id)
      : await api.instanceAction(instance.id, action);
  const labels: Record<InstanceAction, string> = {
    start: trans.__('Starting instance "%1"', instance.id),
    stop: trans.__('Stopping instance "%1"', instance.id),
    reset: trans.__('Resetting instance "%1"', instance.id),
    delete: trans.__('Deleting instance "%1"', instance.id)
  };
  const successes: Record<InstanceAction, string> = {
    start: trans.__('Instance "%1" is running.', instance.id),
    stop: trans.__('Instance "%1" is stopped.', instance.id),
    reset: trans.__('Instance "%1" was reset.', instance.id),
    delete: trans.__('Instance "%1" was deleted.', instance.id)
  };
  const ended = follower
    ? follower.track(
        { ...operation, kind: operation.kind ?? ACTION_KINDS[action] },
        { label: labels[action], successMessage: successes[action] }
      )
    : Promise.resolve(operation);
  void ended
    .catch(() => undefined) // The follower's notification says why.
    .then(() => options.onEnded?.());
  options.onEnded?.();
}

/**
 * Ask before stopping an instance, as before deleting one: its kernels and
 * their state end with it.
 */
export async function confirmStopInstance(
  instance: Pick<IInstance, 'id'>,
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Stop instance?'),
    body: trans.__(
      'Stop the instance "%1"? Its running kernels end and what they hold in memory is lost; its disks are kept and it can be started again.',
      instance.id
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep running') }),
      Dialog.warnButton({ label: trans.__('Stop') })
    ]
  });
  return result.button.accept;
}

/**
 * Ask before deleting an instance: its disks go with it.
 */
export async function confirmDeleteInstance(
  instance: Pick<IInstance, 'id'>,
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Delete instance?'),
    body: trans.__(
      'Delete the instance "%1"? Its boot and data disks are deleted with it; this cannot be undone.',
      instance.id
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return result.button.accept;
}

/**
 * Whether the user agrees to an action wherever it is started: Stop and
 * Delete ask first, Start and Reset do not.
 */
export async function confirmInstanceAction(
  instance: Pick<IInstance, 'id'>,
  action: InstanceAction,
  trans: TranslationBundle
): Promise<boolean> {
  switch (action) {
    case 'delete':
      return confirmDeleteInstance(instance, trans);
    case 'stop':
      return confirmStopInstance(instance, trans);
    default:
      return true;
  }
}
