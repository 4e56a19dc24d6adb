import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { Backend, IEndpoint } from '../api/types';
import { IListState } from '../model/tokens';
import { RowTime, timeOf } from '../components/format';
import { OpenableRow } from '../components/lists/OpenableRow';
import { Section } from '../components/lists/Section';

/**
 * The height of a endpoint row in pixels (the list renders only the rows in view).
 */
export const ENDPOINT_ROW_HEIGHT = 52;

/**
 * The Endpoints list: display name, deployed model count, created time.
 */
export function EndpointList(props: EndpointList.IProps): JSX.Element {
  const { state, trans, backend } = props;
  const empty =
    backend === 'vertex'
      ? trans.__(
          'No endpoints in this project and region yet. Deploy a model with `model.deploy()`.'
        )
      : trans.__(
          'No endpoints yet. After `jupyter_vertex.emulator.init()`, deploy a model with `model.deploy()` or create one with `aiplatform.Endpoint.create(...)`.'
        );
  return (
    <Section<IEndpoint>
      id="jp-Vertex-endpoints"
      title={trans.__('Endpoints')}
      state={state}
      trans={trans}
      onRefresh={props.onRefresh}
      empty={empty}
      loadingText={trans.__('Loading endpoints…')}
      truncatedText={trans.__(
        'Showing the first %1 endpoints.',
        state.items?.length ?? 0
      )}
      hideError={props.hideError}
      rowHeight={ENDPOINT_ROW_HEIGHT}
      renderItem={endpoint => (
        <EndpointRow
          key={endpoint.name || endpoint.id}
          endpoint={endpoint}
          trans={trans}
          onOpen={props.onOpen}
        />
      )}
    />
  );
}

export namespace EndpointList {
  export interface IProps {
    state: IListState<IEndpoint>;
    trans: TranslationBundle;
    backend: Backend | null;
    onRefresh: () => void;
    /**
     * Open the endpoint's details; without it rows do not open.
     */
    onOpen?: (endpoint: IEndpoint) => void;
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * One endpoint.
 */
export function EndpointRow(props: {
  endpoint: IEndpoint;
  trans: TranslationBundle;
  onOpen?: (endpoint: IEndpoint) => void;
}): JSX.Element {
  const { endpoint, trans, onOpen } = props;
  const count = endpoint.deployedModels?.length ?? 0;
  const created = timeOf(endpoint.createTime);
  const name = endpoint.displayName || endpoint.id;
  const models = count
    ? trans._n('%1 deployed model', '%1 deployed models', count)
    : trans.__('No deployed models');
  const deployedNames = (endpoint.deployedModels ?? [])
    .map(deployed => deployed.displayName || deployed.id)
    .filter(Boolean)
    .join(', ');
  const label = [
    name,
    models,
    created ? trans.__('created %1', created.relative) : ''
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <OpenableRow
      className="jp-Vertex-EndpointRow"
      label={label}
      name={endpoint.name}
      data={{ 'data-endpoint-id': endpoint.id }}
      trans={trans}
      onOpen={onOpen && (() => onOpen(endpoint))}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name">{name}</span>
        <span
          className={
            'jp-Vertex-badge ' +
            (count ? 'jp-Vertex-badge-deployed' : 'jp-Vertex-badge-idle')
          }
        >
          {trans._n('%1 model', '%1 models', count)}
        </span>
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-deployedNames">
          {deployedNames || models}
        </span>
        <RowTime time={created} />
      </div>
    </OpenableRow>
  );
}
