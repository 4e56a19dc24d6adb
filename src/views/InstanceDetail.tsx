import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IDisk, IInstance } from '../api/types';
import { ErrorBanners } from '../components/Banner';
import {
  ActionBar,
  ActionButton,
  DetailSection,
  DetailView,
  Field,
  Fields,
  TimeField
} from '../components/detail';
import { timeOf } from '../components/format';
import type { IOperationFollower } from '../model/operations';
import {
  confirmInstanceAction,
  InstanceAction,
  runInstanceAction,
  useInstanceOperations
} from '../panel/instanceActions';
import {
  allowedActions,
  gpuLabel,
  InstanceStateChip,
  openInstance,
  pendingLabel
} from '../panel/InstanceRow';

/**
 * A Workbench instance's details: its state, machine, GPU and disks, image,
 * and its actions (Open JupyterLab, start, stop, delete). Its tab closes
 * once the instance is gone (the host fetches it again after each action).
 */
export function InstanceDetail(props: InstanceDetail.IProps): JSX.Element {
  const { api, instance, follower, trans, onChanged } = props;
  const pending = useInstanceOperations(follower).get(instance.id) ?? null;
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const allowed = allowedActions(instance);
  const busy = pending !== null || instance.state === 'DELETING';
  const headingId = `jp-Vertex-instance-${instance.id}-heading`;

  const act = async (action: InstanceAction) => {
    if (!(await confirmInstanceAction(instance, action, trans))) {
      return;
    }
    try {
      await runInstanceAction({
        api,
        follower,
        instance,
        action,
        trans,
        onEnded: onChanged
      });
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
    }
  };

  const disk = (value: IDisk) =>
    trans.__('%1 GB · %2', value.sizeGb, value.type);
  const image = instance.containerImage
    ? `${instance.containerImage.repository}${instance.containerImage.tag ? `:${instance.containerImage.tag}` : ''}`
    : instance.vmImage
      ? [
          instance.vmImage.project,
          instance.vmImage.family ?? instance.vmImage.name
        ]
          .filter(Boolean)
          .join(' / ')
      : null;
  const gpu = gpuLabel(instance);

  return (
    <DetailView
      headingId={headingId}
      className="jp-Vertex-InstanceDetail"
      title={instance.id}
      trans={trans}
      badge={<InstanceStateChip state={instance.state} trans={trans} />}
    >
      <ErrorBanners loadError={null} actionError={actionError} trans={trans} />
      {instance.state === 'FAILED' && instance.stateReason ? (
        <div className="jp-Vertex-instanceFailure" role="note">
          {instance.stateReason}
        </div>
      ) : null}
      <ActionBar>
        {allowed.open ? (
          <ActionButton
            kind="accept"
            disabled={busy}
            onClick={() => openInstance(instance)}
          >
            {trans.__('Open JupyterLab')}
          </ActionButton>
        ) : null}
        {allowed.start ? (
          <ActionButton disabled={busy} onClick={() => void act('start')}>
            {trans.__('Start')}
          </ActionButton>
        ) : null}
        {allowed.stop ? (
          <ActionButton disabled={busy} onClick={() => void act('stop')}>
            {trans.__('Stop')}
          </ActionButton>
        ) : null}
        <ActionButton
          kind="warn"
          disabled={busy}
          onClick={() => void act('delete')}
        >
          {trans.__('Delete instance')}
        </ActionButton>
        {pending ? (
          <span className="jp-Vertex-pending" role="status">
            {pendingLabel(pending, trans)}
          </span>
        ) : null}
      </ActionBar>

      <DetailSection title={trans.__('Instance')} id={`${headingId}-instance`}>
        <Fields>
          <Field label={trans.__('Name')}>
            <span className="jp-Vertex-mono">{instance.name}</span>
          </Field>
          <TimeField
            label={trans.__('Created')}
            time={timeOf(instance.createTime)}
          />
          {instance.creator ? (
            <Field label={trans.__('Creator')}>{instance.creator}</Field>
          ) : null}
          {instance.healthState ? (
            <Field label={trans.__('Health')}>{instance.healthState}</Field>
          ) : null}
          {Object.keys(instance.labels ?? {}).length > 0 ? (
            <Field label={trans.__('Labels')}>
              <span className="jp-Vertex-mono">
                {Object.entries(instance.labels)
                  .map(([key, value]) => `${key}=${value}`)
                  .join(', ')}
              </span>
            </Field>
          ) : null}
        </Fields>
      </DetailSection>
      <DetailSection title={trans.__('Machine')} id={`${headingId}-machine`}>
        <Fields>
          <Field label={trans.__('Machine type')}>
            <span className="jp-Vertex-mono">{instance.machineType}</span>
          </Field>
          <Field label={trans.__('GPU')}>{gpu ?? trans.__('none')}</Field>
          <Field label={trans.__('Boot disk')}>{disk(instance.bootDisk)}</Field>
          <Field label={trans.__('Data disk')}>
            {instance.dataDisk ? disk(instance.dataDisk) : trans.__('none')}
          </Field>
          {image ? (
            <Field label={trans.__('Image')}>
              <span className="jp-Vertex-mono">{image}</span>
            </Field>
          ) : null}
        </Fields>
      </DetailSection>
    </DetailView>
  );
}

export namespace InstanceDetail {
  export interface IProps {
    api: IVertexAPI;
    instance: IInstance;
    /**
     * Follows the operations the actions start.
     */
    follower: IOperationFollower | null;
    trans: TranslationBundle;
    /**
     * An action started or its operation ended: fetch again.
     */
    onChanged: () => void;
  }
}
