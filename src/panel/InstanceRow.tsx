import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IInstance, OperationKind } from '../api/types';
import { onRowKeyDown, RowTime, timeOf } from '../components/format';
import { InstanceAction } from './instanceActions';

/**
 * Instance states, for people.
 */
export function instanceStateLabel(
  state: string,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'PROVISIONING':
      return trans.__('Provisioning');
    case 'STARTING':
      return trans.__('Starting');
    case 'INITIALIZING':
      return trans.__('Initializing');
    case 'ACTIVE':
      return trans.__('Active');
    case 'STOPPING':
      return trans.__('Stopping');
    case 'STOPPED':
      return trans.__('Stopped');
    case 'SUSPENDING':
      return trans.__('Suspending');
    case 'SUSPENDED':
      return trans.__('Suspended');
    case 'UPGRADING':
      return trans.__('Upgrading');
    case 'DELETING':
      return trans.__('Deleting');
    case 'DELETED':
      return trans.__('Deleted');
    case 'FAILED':
      return trans.__('Failed');
    default:
      return trans.__('Unknown');
  }
}

/**
 * An instance state chip; colours from the theme (instances.css).
 */
export function InstanceStateChip(props: {
  state: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-Vertex-state jp-Vertex-instanceState-${props.state.toLowerCase()}`}
      data-state={props.state}
    >
      {instanceStateLabel(props.state, props.trans)}
    </span>
  );
}

/**
 * `NVIDIA_TESLA_T4 × 2`, or `null` without a GPU.
 */
export function gpuLabel(
  instance: Pick<IInstance, 'acceleratorType' | 'acceleratorCount'>
): string | null {
  if (!instance.acceleratorType) {
    return null;
  }
  return `${instance.acceleratorType} × ${instance.acceleratorCount || 1}`;
}

/**
 * States in which an instance runs (and costs) or is on its way there.
 */
const RUNNING_STATES = new Set([
  'PROVISIONING',
  'STARTING',
  'INITIALIZING',
  'ACTIVE',
  'UPGRADING'
]);

/**
 * Which actions an instance's state allows. A FAILED instance is stopped
 * (its server could not start): it may be started again.
 */
export function allowedActions(
  instance: Pick<IInstance, 'state' | 'openUrl'>
): { start: boolean; stop: boolean; open: boolean } {
  const state = instance.state;
  return {
    start: state === 'STOPPED' || state === 'SUSPENDED' || state === 'FAILED',
    stop: RUNNING_STATES.has(state),
    open: state === 'ACTIVE' && Boolean(instance.openUrl)
  };
}

/**
 * What a pending operation shows in place of the actions.
 */
export function pendingLabel(
  kind: OperationKind,
  trans: TranslationBundle
): string {
  switch (kind) {
    case 'createInstance':
      return trans.__('Creating…');
    case 'startInstance':
      return trans.__('Starting…');
    case 'stopInstance':
      return trans.__('Stopping…');
    case 'resetInstance':
      return trans.__('Resetting…');
    case 'deleteInstance':
      return trans.__('Deleting…');
    default:
      return trans.__('Working…');
  }
}

/**
 * Open an instance's JupyterLab in a new tab, without giving it our window.
 */
export function openInstance(instance: Pick<IInstance, 'openUrl'>): void {
  if (instance.openUrl) {
    window.open(instance.openUrl, '_blank', 'noopener,noreferrer');
  }
}

/**
 * One instance and its actions.
 */
export function InstanceRow(props: {
  instance: IInstance;
  pending: OperationKind | null;
  trans: TranslationBundle;
  onAction: (action: InstanceAction) => void;
  /**
   * Open the instance's tab (its name is then a link).
   */
  onOpen?: () => void;
}): JSX.Element {
  const { instance, pending, trans, onAction, onOpen } = props;
  const gpu = gpuLabel(instance);
  const created = timeOf(instance.createTime);
  const state = instance.state;
  const busy = pending !== null || state === 'DELETING';
  const allowed = allowedActions(instance);
  const canStart = allowed.start;
  const canStop = allowed.stop;
  const canOpen = allowed.open;
  const label = [
    instance.id,
    instanceStateLabel(state, trans),
    instance.machineType,
    gpu ? trans.__('GPU %1', gpu) : trans.__('no GPU'),
    pending ? pendingLabel(pending, trans) : ''
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <li
      className="jp-Vertex-row jp-Vertex-InstanceRow"
      tabIndex={0}
      role="listitem"
      aria-label={label}
      data-instance-id={instance.id}
      onKeyDown={event => {
        if (event.target === event.currentTarget) {
          onRowKeyDown(event);
        }
      }}
    >
      <div className="jp-Vertex-row-main">
        {onOpen ? (
          <button
            type="button"
            className="jp-Vertex-link jp-Vertex-row-name"
            title={trans.__('%1 — open the details', instance.name)}
            onClick={onOpen}
          >
            {instance.id}
          </button>
        ) : (
          <span className="jp-Vertex-row-name" title={instance.name}>
            {instance.id}
          </span>
        )}
        <InstanceStateChip state={state} trans={trans} />
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-mono" title={trans.__('Machine type')}>
          {instance.machineType}
        </span>
        <span
          className={gpu ? 'jp-Vertex-gpu' : 'jp-Vertex-noGpu'}
          title={trans.__('GPU')}
        >
          {gpu ?? trans.__('No GPU')}
        </span>
        <RowTime time={created} />
      </div>
      <div
        className="jp-Vertex-row-actions"
        role="group"
        aria-label={trans.__('Actions for %1', instance.id)}
      >
        {pending ? (
          <span className="jp-Vertex-pending" role="status">
            {pendingLabel(pending, trans)}
          </span>
        ) : null}
        {canOpen ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept jp-Vertex-action"
            disabled={busy}
            onClick={() => openInstance(instance)}
            aria-label={trans.__('Open JupyterLab of %1', instance.id)}
          >
            {trans.__('Open JupyterLab')}
          </button>
        ) : null}
        {canStart ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-Vertex-action"
            disabled={busy}
            onClick={() => onAction('start')}
            aria-label={trans.__('Start %1', instance.id)}
          >
            {trans.__('Start')}
          </button>
        ) : null}
        {canStop ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-Vertex-action"
            disabled={busy}
            onClick={() => onAction('stop')}
            aria-label={trans.__('Stop %1', instance.id)}
          >
            {trans.__('Stop')}
          </button>
        ) : null}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-warn jp-Vertex-action"
          disabled={busy}
          onClick={() => onAction('delete')}
          aria-label={trans.__('Delete %1', instance.id)}
        >
          {trans.__('Delete')}
        </button>
      </div>
      {state === 'FAILED' && instance.stateReason ? (
        <div className="jp-Vertex-instanceFailure" role="note">
          {instance.stateReason}
        </div>
      ) : null}
    </li>
  );
}
