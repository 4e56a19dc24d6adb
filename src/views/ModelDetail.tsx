import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IEndpoint, IModel, JobKind } from '../api/types';
import {
  ActionButton,
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
import {
  defaultDeployForm,
  deployDialog,
  deployMachines,
  FALLBACK_MACHINES,
  IMachineOption
} from '../dialogs/deploy/DeployDialog';
import { frameworkOf, RowTime, timeOf } from '../components/format';
import { idOf, modelBase, OperationTracker } from '../model/operations';
import { ArtifactLink, ArtifactOpener, ModelProvenance } from './Provenance';

/**
 * A model's details: its versions and aliases, artifact, container, labels,
 * where it is deployed (links to the endpoints), Deploy and Delete.
 */
export function ModelDetail(props: ModelDetail.IProps): JSX.Element {
  const { api, modelId, trans, tracker, onBack, onOpenEndpoint, onChanged } =
    props;
  const [model, setModel] = React.useState<IModel | null>(props.listed);
  const [versions, setVersions] = React.useState<IModel[]>([]);
  const { actionError, setActionError, busy, setBusy, operations, endedCount } =
    useActionState(tracker, { modelId });

  // Fetch again when the list saw a change or an operation ended.
  const listedKey = JSON.stringify(props.listed);
  const loadError = useReload(
    () => Promise.all([api.getModel(modelId), api.listModelVersions(modelId)]),
    ([fetched, page]) => {
      setModel(fetched);
      setVersions(
        [...page.models].sort(
          (a, b) => Number(b.versionId) - Number(a.versionId)
        )
      );
    },
    [api, modelId, listedKey, endedCount]
  );

  const name = model?.displayName || modelId;
  const headingId = `jp-Vertex-model-${modelId}-heading`;
  const endpointName = (id: string) => {
    const endpoint = props.endpoints.find(e => e.id === id);
    return endpoint?.displayName || id;
  };

  const deploy = async () => {
    if (!model) {
      return;
    }
    setActionError(null);
    let table: ReadonlyArray<IMachineOption>;
    try {
      table = await props.loadMachines();
    } catch {
      table = FALLBACK_MACHINES;
    }
    const machines = deployMachines(table);
    const form = defaultDeployForm({
      model,
      endpoints: props.endpoints,
      machines,
      defaultMachineType: props.preferences?.defaultMachineType,
      defaultEndpoint: props.preferences?.defaultEndpoint
    });
    let started;
    try {
      started = await deployDialog({
        api,
        model,
        versions,
        endpoints: props.endpoints,
        machines,
        form,
        trans
      });
    } catch (reason) {
      setActionError(VertexAPIError.from(reason));
      return;
    }
    if (!started) {
      return;
    }
    const { operation, form: sent } = started;
    const target =
      operation.target ?? (sent.target === 'existing' ? sent.endpointId : null);
    const targetName =
      sent.target === 'new'
        ? sent.endpointDisplayName.trim()
        : endpointName(sent.endpointId);
    onChanged(); // a new endpoint shows at once
    tracker
      .track(operation, {
        label: trans.__('Deploying "%1" to "%2"', name, targetName),
        modelId: sent.modelId,
        endpointId: target ?? undefined,
        successMessage: trans.__('"%1" is deployed to "%2".', name, targetName),
        actions: target
          ? [
              {
                label: trans.__('Show endpoint'),
                callback: () => onOpenEndpoint(target)
              }
            ]
          : []
      })
      .catch(reason => setActionError(VertexAPIError.from(reason)));
  };

  const remove = () =>
    deleteShown({
      title: trans.__('Delete model?'),
      body: trans.__(
        'Delete "%1" and all its versions from the Model Registry? This cannot be undone.',
        name
      ),
      trans,
      remove: () => api.deleteModel(modelBase(modelId)),
      setBusy,
      setActionError,
      onChanged,
      onBack
    });

  // Where each version is deployed.
  const shown = versions.length ? versions : model ? [model] : [];
  const deployments: Array<{
    endpointId: string;
    deployedModelId: string;
    versionId: string;
  }> = [];
  for (const version of shown) {
    for (const ref of version.deployedModels ?? []) {
      deployments.push({
        endpointId: idOf(ref.endpoint),
        deployedModelId: ref.deployedModelId,
        versionId: version.versionId
      });
    }
  }
  const framework = model ? frameworkOf(model) : '';
  const created = timeOf(model?.createTime);
  const labels = Object.entries(model?.labels ?? {});

  return (
    <DetailView
      headingId={headingId}
      className="jp-Vertex-ModelDetail"
      title={name}
      trans={trans}
      badge={
        deployments.length ? (
          <span className="jp-Vertex-badge jp-Vertex-badge-deployed">
            {trans.__('Deployed')}
          </span>
        ) : null
      }
    >
      <DetailActions
        loadError={loadError}
        actionError={actionError}
        operations={operations}
        trans={trans}
      >
        <ActionButton
          kind="accept"
          disabled={!model}
          onClick={() => void deploy()}
        >
          {trans.__('Deploy…')}
        </ActionButton>
        {props.onBatchPredict ? (
          <ActionButton
            disabled={!model}
            onClick={() => model && props.onBatchPredict?.(model)}
          >
            {trans.__('Batch predict…')}
          </ActionButton>
        ) : null}
        <ActionButton
          kind="warn"
          disabled={!model || busy}
          onClick={() => void remove()}
        >
          {trans.__('Delete model')}
        </ActionButton>
      </DetailActions>

      {model ? (
        <DetailSection title={trans.__('Model')} id={`${headingId}-model`}>
          <ModelProvenance
            model={model}
            trans={trans}
            onOpenJob={props.onOpenJob}
          />
          <Fields>
            <Field label={trans.__('ID')}>
              <span className="jp-Vertex-mono">{model.id}</span>
            </Field>
            {framework ? (
              <Field label={trans.__('Framework')}>{framework}</Field>
            ) : null}
            <TimeField label={trans.__('Created')} time={created} />
            {model.description ? (
              <Field label={trans.__('Description')}>{model.description}</Field>
            ) : null}
            <Field label={trans.__('Artifact')}>
              {model.artifactUri ? (
                <ArtifactLink
                  api={api}
                  uri={model.artifactUri}
                  trans={trans}
                  onOpenArtifact={props.onOpenArtifact}
                />
              ) : (
                trans.__('none')
              )}
            </Field>
            <Field label={trans.__('Container')}>
              {model.containerImageUri ? (
                <span className="jp-Vertex-mono">
                  {model.containerImageUri}
                </span>
              ) : (
                trans.__('none')
              )}
            </Field>
            <Field label={trans.__('Labels')}>
              {labels.length ? (
                <span className="jp-Vertex-labels">
                  {labels.map(([key, value]) => (
                    <span key={key} className="jp-Vertex-chip">
                      {value ? `${key}: ${value}` : key}
                    </span>
                  ))}
                </span>
              ) : (
                trans.__('none')
              )}
            </Field>
          </Fields>
        </DetailSection>
      ) : loadError ? null : (
        <div className="jp-Vertex-placeholder">
          {trans.__('Loading model…')}
        </div>
      )}

      <DetailSection
        title={trans.__('Versions')}
        id={`${headingId}-versions`}
        className="jp-Vertex-versions"
      >
        <ul className="jp-Vertex-plainList">
          {shown.map(version => {
            const vCreated = timeOf(
              version.versionCreateTime || version.createTime
            );
            const count = version.deployedModels?.length ?? 0;
            return (
              <li
                key={version.versionId}
                className="jp-Vertex-version-row"
                data-version-id={version.versionId}
              >
                <span className="jp-Vertex-version">
                  {trans.__('v%1', version.versionId)}
                </span>
                {(version.versionAliases ?? []).map(alias => (
                  <span key={alias} className="jp-Vertex-chip">
                    {alias}
                  </span>
                ))}
                <RowTime time={vCreated} />
                {count ? (
                  <span className="jp-Vertex-badge jp-Vertex-badge-deployed">
                    {trans._n('%1 deployment', '%1 deployments', count)}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      </DetailSection>

      <DetailSection
        title={trans.__('Deployed to')}
        id={`${headingId}-deployed`}
        className="jp-Vertex-deployedTo"
      >
        {deployments.length ? (
          <ul className="jp-Vertex-plainList">
            {deployments.map(d => (
              <li key={`${d.endpointId}/${d.deployedModelId}`}>
                <button
                  type="button"
                  className="jp-Vertex-link"
                  onClick={() => onOpenEndpoint(d.endpointId)}
                  aria-label={trans.__(
                    'Open endpoint %1',
                    endpointName(d.endpointId)
                  )}
                >
                  {endpointName(d.endpointId)}
                </button>{' '}
                <span className="jp-Vertex-note-inline">
                  {trans.__(
                    'version %1 · deployed model %2',
                    d.versionId,
                    d.deployedModelId
                  )}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <div className="jp-Vertex-note">
            {trans.__('Not deployed. Deploy it to test predictions.')}
          </div>
        )}
      </DetailSection>
    </DetailView>
  );
}

export namespace ModelDetail {
  export interface IPreferences {
    defaultMachineType?: string | null;
    defaultEndpoint?: string | null;
  }

  export interface IProps {
    api: IVertexAPI;
    modelId: string;
    /**
     * The model as the list has it (shown until the detail is fetched).
     */
    listed: IModel | null;
    endpoints: ReadonlyArray<IEndpoint>;
    trans: TranslationBundle;
    tracker: OperationTracker;
    /**
     * Deleted: close the view (its tab).
     */
    onBack: () => void;
    onOpenEndpoint: (endpointId: string) => void;
    /**
     * Something changed (deleted, deploying): refresh the lists.
     */
    onChanged: () => void;
    /**
     * The machine types and the accelerators each takes.
     */
    loadMachines: () => Promise<ReadonlyArray<IMachineOption>>;
    preferences?: IPreferences;
    /**
     * Open the job that registered the model.
     */
    onOpenJob?: (kind: JobKind, jobId: string) => void;
    /**
     * Open an artifact copied into the Jupyter root.
     */
    onOpenArtifact?: ArtifactOpener;
    /**
     * Open the Batch predict dialog for this version.
     */
    onBatchPredict?: (model: IModel) => void;
  }
}
