import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IDeployedModel, IEndpoint, IModel } from '../api/types';
import { RunsOnCpuNote } from '../components/RunsOnCpuNote';
import {
  ActionBar,
  ActionButton,
  confirm,
  deleteShown,
  DetailActions,
  DetailSection,
  DetailView,
  Field,
  Fields,
  TimeField,
  useActionState,
  useReload
} from '../components/detail';
import { EndpointMetrics } from './EndpointMetrics';
import { timeOf } from '../components/format';
import { idOf, OperationTracker } from '../model/operations';
import { INPUT_SIZE_LABEL, TestPrediction } from './TestPrediction';

/**
 * Whether a traffic split is valid: whole percentages that sum to 100 (or
 * nothing deployed).
 */
export function trafficError(
  split: Record<string, number>,
  trans: TranslationBundle
): string | null {
  const values = Object.values(split);
  if (values.length === 0) {
    return null;
  }
  if (values.some(v => !Number.isInteger(v) || v < 0 || v > 100)) {
    return trans.__('Each share is a whole number from 0 to 100.');
  }
  const sum = values.reduce((a, b) => a + b, 0);
  return sum === 100
    ? null
    : trans.__('The shares sum to %1%; they must sum to 100%.', sum);
}

/**
 * An endpoint's details: its deployed models with their traffic split
 * (editable), undeploy, delete, Test, and the metrics charts.
 */
export function EndpointDetail(props: EndpointDetail.IProps): JSX.Element {
  const { api, endpointId, trans, tracker, onBack, onOpenModel, onChanged } =
    props;
  const [endpoint, setEndpoint] = React.useState<IEndpoint | null>(
    props.listed
  );
  const [models, setModels] = React.useState<IModel[]>([]);
  const [edited, setEdited] = React.useState<Record<string, string> | null>(
    null
  );
  // The last save went through (said until the next edit).
  const [saved, setSaved] = React.useState(false);
  const { actionError, setActionError, busy, setBusy, operations, endedCount } =
    useActionState(tracker, { endpointId });

  const listedKey = JSON.stringify(props.listed);
  const loadError = useReload(() => api.getEndpoint(endpointId), setEndpoint, [
    api,
    endpointId,
    listedKey,
    endedCount
  ]);

  // The deployed model versions, for their names and input sizes.
  const deployed = endpoint?.deployedModels ?? [];
  const versionsKey = deployed
    .map(d => `${idOf(d.model)}@${d.modelVersionId ?? ''}`)
    .join(',');
  React.useEffect(() => {
    let cancelled = false;
    Promise.all(
      deployed.map(d =>
        api
          .getModel(
            d.modelVersionId
              ? `${idOf(d.model)}@${d.modelVersionId}`
              : idOf(d.model)
          )
          .catch(() => null)
      )
    ).then(fetched => {
      if (!cancelled) {
        setModels(fetched.filter((m): m is IModel => m !== null));
      }
    });
    return () => {
      cancelled = true;
    };
  }, [api, versionsKey]);

  const name = endpoint?.displayName || endpointId;
  const headingId = `jp-Vertex-endpoint-${endpointId}-heading`;
  const current: Record<string, number> = {};
  for (const d of deployed) {
    current[d.id] = endpoint?.trafficSplit?.[d.id] ?? 0;
  }
  const split: Record<string, number> = {};
  for (const d of deployed) {
    const text = edited ? (edited[d.id] ?? '') : String(current[d.id]);
    split[d.id] = text.trim() === '' ? NaN : Number(text);
  }
  const splitError = trafficError(split, trans);
  const dirty =
    edited !== null && deployed.some(d => split[d.id] !== current[d.id]);

  const modelOf = (d: IDeployedModel) =>
    models.find(
      m =>
        m.id.split('@')[0] === idOf(d.model) &&
        (!d.modelVersionId || m.versionId === d.modelVersionId)
    ) ?? null;
  const modelName = (d: IDeployedModel) =>
    modelOf(d)?.displayName || idOf(d.model);
  const plainName = (d: IDeployedModel) =>
    d.displayName || modelOf(d)?.displayName || d.id;
  // Names that tell apart the same model deployed twice (labels, dialogs).
  const deployedName = (d: IDeployedModel) => {
    const name = plainName(d);
    const twins = deployed.filter(o => plainName(o) === name).length;
    return twins > 1 ? trans.__('%1 (%2)', name, d.id) : name;
  };

  const saveTraffic = async () => {
    setBusy(true);
    try {
      const answer = await api.setTrafficSplit(endpointId, split);
      setEndpoint(answer);
      setEdited(null);
      setSaved(true);
      setActionError(null);
      onChanged();
    } catch (reason) {
      setActionError(VertexAPIError.from(reason));
    } finally {
      setBusy(false);
    }
  };

  const undeploy = async (d: IDeployedModel) => {
    const ok = await confirm({
      title: trans.__('Undeploy model?'),
      body: trans.__(
        'Undeploy "%1" from "%2"? Its servers stop and it gets no more traffic.',
        deployedName(d),
        name
      ),
      action: trans.__('Undeploy'),
      trans
    });
    if (!ok) {
      return;
    }
    setActionError(null);
    let operation;
    try {
      operation = await api.undeployModel(endpointId, d.id);
    } catch (reason) {
      setActionError(VertexAPIError.from(reason));
      return;
    }
    setEdited(null);
    tracker
      .track(operation, {
        label: trans.__('Undeploying "%1" from "%2"', deployedName(d), name),
        endpointId,
        modelId: idOf(d.model),
        successMessage: trans.__(
          '"%1" is undeployed from "%2".',
          deployedName(d),
          name
        )
      })
      .catch(reason => setActionError(VertexAPIError.from(reason)));
  };

  const remove = () =>
    deleteShown({
      title: trans.__('Delete endpoint?'),
      body: trans.__('Delete the endpoint "%1"? This cannot be undone.', name),
      trans,
      remove: () => api.deleteEndpoint(endpointId),
      setBusy,
      setActionError,
      onChanged,
      onBack
    });

  const rememberSize = async (model: IModel, size: number) => {
    await api.updateModel(`${model.id.split('@')[0]}@${model.versionId}`, {
      labels: { ...(model.labels ?? {}), [INPUT_SIZE_LABEL]: String(size) }
    });
  };

  const created = timeOf(endpoint?.createTime);
  return (
    <DetailView
      headingId={headingId}
      className="jp-Vertex-EndpointDetail"
      title={name}
      trans={trans}
      badge={
        <span
          className={
            'jp-Vertex-badge ' +
            (deployed.length
              ? 'jp-Vertex-badge-deployed'
              : 'jp-Vertex-badge-idle')
          }
        >
          {trans._n('%1 model', '%1 models', deployed.length)}
        </span>
      }
    >
      <DetailActions
        loadError={loadError}
        actionError={actionError}
        operations={operations}
        trans={trans}
      >
        <ActionButton
          kind="warn"
          disabled={!endpoint || busy}
          onClick={() => void remove()}
        >
          {trans.__('Delete endpoint')}
        </ActionButton>
      </DetailActions>

      {endpoint ? (
        <DetailSection
          title={trans.__('Endpoint')}
          id={`${headingId}-endpoint`}
        >
          <Fields>
            <Field label={trans.__('ID')}>
              <span className="jp-Vertex-mono">{endpoint.id}</span>
            </Field>
            <TimeField label={trans.__('Created')} time={created} />
            {endpoint.description ? (
              <Field label={trans.__('Description')}>
                {endpoint.description}
              </Field>
            ) : null}
          </Fields>
        </DetailSection>
      ) : loadError ? null : (
        <div className="jp-Vertex-placeholder">
          {trans.__('Loading endpoint…')}
        </div>
      )}

      <DetailSection
        title={trans.__('Deployed models and traffic')}
        id={`${headingId}-deployed`}
        className="jp-Vertex-deployedModels"
      >
        {deployed.length === 0 ? (
          <div className="jp-Vertex-note">
            {trans.__(
              'No models deployed. Deploy one from its details in Models.'
            )}
          </div>
        ) : (
          <>
            <table className="jp-Vertex-trafficTable">
              <thead>
                <tr>
                  <th scope="col">{trans.__('Model')}</th>
                  <th scope="col">{trans.__('Traffic %')}</th>
                  <th scope="col">
                    <span className="jp-Vertex-visuallyHidden">
                      {trans.__('Actions')}
                    </span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deployed.map(d => {
                  return (
                    <tr key={d.id} data-deployed-model-id={d.id}>
                      <td>
                        <div className="jp-Vertex-deployedModel-name">
                          <button
                            type="button"
                            className="jp-Vertex-link"
                            aria-label={trans.__('Open model %1', modelName(d))}
                            title={trans.__('Open the model')}
                            onClick={() => onOpenModel(idOf(d.model))}
                          >
                            {modelName(d)}
                          </button>{' '}
                          <span className="jp-Vertex-version">
                            {trans.__('v%1', d.modelVersionId ?? '?')}
                          </span>
                        </div>
                        <div
                          className="jp-Vertex-row-meta"
                          title={trans.__('Deployed model %1', d.id)}
                        >
                          {d.displayName && d.displayName !== modelName(d) ? (
                            <span>{d.displayName}</span>
                          ) : null}
                          <span className="jp-Vertex-mono">{d.id}</span>
                        </div>
                        <RunsOnCpuNote
                          acceleratorType={d.acceleratorType}
                          acceleratorCount={d.acceleratorCount}
                          trans={trans}
                        />
                      </td>
                      <td>
                        <input
                          className="jp-mod-styled jp-Vertex-traffic"
                          type="number"
                          min={0}
                          max={100}
                          step={1}
                          aria-label={trans.__(
                            'Traffic share of %1 (%)',
                            deployedName(d)
                          )}
                          value={
                            edited
                              ? (edited[d.id] ?? '')
                              : String(current[d.id])
                          }
                          onChange={e => {
                            const next: Record<string, string> = {};
                            for (const o of deployed) {
                              next[o.id] =
                                edited?.[o.id] ?? String(current[o.id]);
                            }
                            next[d.id] = e.target.value;
                            setEdited(next);
                            setSaved(false);
                          }}
                        />
                      </td>
                      <td>
                        <ActionButton
                          kind="warn"
                          small
                          aria-label={trans.__('Undeploy %1', deployedName(d))}
                          onClick={() => void undeploy(d)}
                        >
                          {trans.__('Undeploy')}
                        </ActionButton>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {edited && splitError ? (
              <div className="jp-Vertex-form-error" role="alert">
                {splitError}
              </div>
            ) : null}
            <ActionBar>
              <ActionButton
                kind="accept"
                disabled={!dirty || splitError !== null || busy}
                onClick={() => void saveTraffic()}
              >
                {trans.__('Save traffic split')}
              </ActionButton>
              {edited ? (
                <ActionButton onClick={() => setEdited(null)}>
                  {trans.__('Reset')}
                </ActionButton>
              ) : null}
              {saved && !edited ? (
                <span className="jp-Vertex-saved" role="status">
                  {trans.__('Saved')}
                </span>
              ) : null}
            </ActionBar>
          </>
        )}
      </DetailSection>

      {deployed.length > 0 ? (
        <TestPrediction
          key={endpointId}
          api={api}
          endpointId={endpointId}
          models={models}
          trans={trans}
          onRememberSize={rememberSize}
        />
      ) : null}

      <div className="jp-Vertex-endpointMetricsSection">
        <EndpointMetrics
          api={api}
          endpointId={endpointId}
          trans={trans}
          isActive={props.isActive}
        />
      </div>
    </DetailView>
  );
}

export namespace EndpointDetail {
  export interface IProps {
    api: IVertexAPI;
    endpointId: string;
    /**
     * The endpoint as the list has it (shown until the detail is fetched).
     */
    listed: IEndpoint | null;
    trans: TranslationBundle;
    tracker: OperationTracker;
    /**
     * Deleted: close the view (its tab).
     */
    onBack: () => void;
    onOpenModel: (modelId: string) => void;
    /**
     * Something changed (traffic, deleted): refresh the lists.
     */
    onChanged: () => void;
    /**
     * Whether the view is visible (the metrics pause while it is not).
     */
    isActive?: () => boolean;
  }
}
