import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { Backend, IEndpoint, IModel } from '../api/types';
import { IListState } from '../model/tokens';
import { frameworkOf, RowTime, timeOf } from '../components/format';
import { OpenableRow } from '../components/lists/OpenableRow';
import { Section } from '../components/lists/Section';

/**
 * The height of a model row in pixels (the list renders only the rows in view).
 */
export const MODEL_ROW_HEIGHT = 52;

/**
 * The Models list: display name, version and aliases, framework, created
 * time, deployed or not.
 */
export function ModelList(props: ModelList.IProps): JSX.Element {
  const { state, trans, backend } = props;
  const empty =
    backend === 'vertex'
      ? trans.__(
          'No models in this project and region yet. Upload one with `aiplatform.Model.upload(...)`.'
        )
      : trans.__(
          'No models yet. Upload one with the SDK after `jupyter_vertex.emulator.init()`: `aiplatform.Model.upload(...)`.'
        );
  return (
    <Section<IModel>
      id="jp-Vertex-models"
      title={trans.__('Models')}
      state={state}
      trans={trans}
      onRefresh={props.onRefresh}
      empty={empty}
      loadingText={trans.__('Loading models…')}
      truncatedText={trans.__(
        'Showing the first %1 models.',
        state.items?.length ?? 0
      )}
      hideError={props.hideError}
      rowHeight={MODEL_ROW_HEIGHT}
      renderItem={model => (
        <ModelRow
          key={model.name || model.id}
          model={model}
          trans={trans}
          onOpen={props.onOpen}
          endpoints={props.endpoints}
        />
      )}
    />
  );
}

export namespace ModelList {
  export interface IProps {
    state: IListState<IModel>;
    trans: TranslationBundle;
    backend: Backend | null;
    onRefresh: () => void;
    /**
     * Open the model's details; without it rows do not open.
     */
    onOpen?: (model: IModel) => void;
    /**
     * The endpoints, to name where models are deployed.
     */
    endpoints?: ReadonlyArray<IEndpoint> | null;
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * One model (its default version).
 */
export function ModelRow(props: {
  model: IModel;
  trans: TranslationBundle;
  onOpen?: (model: IModel) => void;
  endpoints?: ReadonlyArray<IEndpoint> | null;
}): JSX.Element {
  const { model, trans, onOpen } = props;
  const where = (model.deployedModels ?? []).map(ref => {
    const id = ref.endpoint.split('/').pop() ?? ref.endpoint;
    return props.endpoints?.find(e => e.id === id)?.displayName || id;
  });
  const aliases = model.versionAliases ?? [];
  const framework = frameworkOf(model);
  const created = timeOf(model.versionCreateTime || model.createTime);
  const deployments = model.deployedModels?.length ?? 0;
  const name = model.displayName || model.id;

  const label = [
    name,
    trans.__('version %1', model.versionId),
    aliases.length ? trans.__('aliases %1', aliases.join(', ')) : '',
    framework,
    created ? trans.__('created %1', created.relative) : '',
    deployments
      ? trans._n(
          'deployed to %1 endpoint',
          'deployed to %1 endpoints',
          deployments
        )
      : trans.__('not deployed')
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <OpenableRow
      className="jp-Vertex-ModelRow"
      label={label}
      name={model.name}
      data={{ 'data-model-id': model.id }}
      trans={trans}
      onOpen={onOpen && (() => onOpen(model))}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name">{name}</span>
        {deployments > 0 ? (
          <span
            className="jp-Vertex-badge jp-Vertex-badge-deployed"
            title={trans._n(
              'Deployed to %1 endpoint',
              'Deployed to %1 endpoints',
              deployments
            )}
          >
            {trans.__('Deployed')}
          </span>
        ) : (
          <span className="jp-Vertex-badge jp-Vertex-badge-idle">
            {trans.__('Not deployed')}
          </span>
        )}
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-version">
          {trans.__('v%1', model.versionId)}
        </span>
        {aliases.map(alias => (
          <span key={alias} className="jp-Vertex-chip">
            {alias}
          </span>
        ))}
        {framework ? (
          <span className="jp-Vertex-framework">{framework}</span>
        ) : null}
        <RowTime time={created} />
        {where.length ? (
          <span
            className="jp-Vertex-deployedNames"
            title={trans.__('Deployed to %1', where.join(', '))}
          >
            {trans.__('on %1', Array.from(new Set(where)).join(', '))}
          </span>
        ) : null}
      </div>
    </OpenableRow>
  );
}
