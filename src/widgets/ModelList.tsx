import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../request';
import { Backend, IListState, IModel } from '../tokens';
import { frameworkOf, onRowKeyDown, timeOf } from './format';
import { Section } from './Section';

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
      refreshLabel={trans.__('Refresh models')}
      empty={empty}
      loadingText={trans.__('Loading models…')}
      truncatedText={trans.__(
        'Showing the first %1 models.',
        state.items?.length ?? 0
      )}
      hideError={props.hideError}
      renderItem={model => (
        <ModelRow key={model.name || model.id} model={model} trans={trans} />
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
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * One model (its default version).
 */
export function ModelRow(props: {
  model: IModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
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
    <li
      className="jp-Vertex-row jp-Vertex-ModelRow"
      tabIndex={0}
      aria-label={label}
      title={model.name}
      data-model-id={model.id}
      onKeyDown={onRowKeyDown}
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
        {created ? (
          <span className="jp-Vertex-time" title={created.full}>
            {created.relative}
          </span>
        ) : null}
      </div>
    </li>
  );
}
