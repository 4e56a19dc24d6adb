import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IInstance } from '../api/types';
import { IListState, IVertexModel } from '../model/tokens';
import { ErrorBanners } from '../components/Banner';
import { IconButton } from '../components/IconButton';
import {
  createInstanceFlow,
  IMachineOption
} from '../dialogs/instance/InstanceDialog';
import type { IOperationFollower } from '../model/operations';
import {
  confirmInstanceAction,
  InstanceAction,
  runInstanceAction,
  useInstanceOperations
} from './instanceActions';
import { InstanceRow } from './InstanceRow';

// The row and the actions, where the panel's other modules found them.
export * from './instanceActions';
export * from './InstanceRow';

/**
 * The Instances section: each Workbench instance with its state, machine
 * type and GPU, and its actions (start, stop, open JupyterLab, delete).
 */
export function InstanceList(props: InstanceList.IProps): JSX.Element {
  const { state, trans, api, follower } = props;
  const pending = useInstanceOperations(follower);
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const headingId = 'jp-Vertex-instances-heading';
  const items = state.items;
  const showError =
    state.error !== null && !(props.hideError?.(state.error) ?? false);

  const act = async (instance: IInstance, action: InstanceAction) => {
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
        onEnded: props.onChanged
      });
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
    }
  };

  let body: React.ReactNode;
  if (items === null) {
    body =
      state.error === null ? (
        <div className="jp-Vertex-placeholder">
          {trans.__('Loading instances…')}
        </div>
      ) : null;
  } else if (items.length === 0) {
    body = showError ? null : (
      <div className="jp-Vertex-empty">
        {trans.__(
          'No Workbench instances yet. Create one to get a JupyterLab on its own machine, with a GPU if you need one.'
        )}
      </div>
    );
  } else {
    body = (
      <ul className="jp-Vertex-list" aria-labelledby={headingId}>
        {items.map(instance => (
          <InstanceRow
            key={instance.name || instance.id}
            instance={instance}
            pending={pending.get(instance.id) ?? null}
            trans={trans}
            onAction={action => void act(instance, action)}
            onOpen={props.onOpen && (() => props.onOpen?.(instance))}
          />
        ))}
      </ul>
    );
  }

  return (
    <section
      className="jp-Vertex-Section jp-Vertex-Instances"
      id="jp-Vertex-instances"
      aria-labelledby={headingId}
      aria-busy={state.loading}
    >
      <div className="jp-Vertex-Section-header">
        <h3 className="jp-Vertex-Section-title" id={headingId}>
          {trans.__('Instances')}
        </h3>
        {items !== null ? (
          <span
            className="jp-Vertex-Section-count"
            aria-label={trans._n('%1 instance', '%1 instances', items.length)}
          >
            {state.truncated ? `${items.length}+` : items.length}
          </span>
        ) : null}
        <IconButton
          icon={addIcon}
          className="jp-Vertex-createInstance"
          label={trans.__('Create instance')}
          title={trans.__('Create a Workbench instance')}
          onClick={props.onCreate}
        />
      </div>
      <ErrorBanners
        loadError={showError ? state.error : null}
        actionError={actionError}
        trans={trans}
        onRetry={props.onRefresh}
      />
      {body}
    </section>
  );
}

export namespace InstanceList {
  export interface IProps {
    state: IListState<IInstance>;
    trans: TranslationBundle;
    api: IVertexAPI;
    /**
     * Follows the operations the actions start; without it, they are only
     * started.
     */
    follower: IOperationFollower | null;
    onRefresh: () => void;
    /**
     * An action started or its operation ended: time to fetch again.
     */
    onChanged: () => void;
    onCreate: () => void;
    hideError?: (error: VertexAPIError) => boolean;
    /**
     * Open the instance's tab (its name was clicked).
     */
    onOpen?: (instance: IInstance) => void;
  }
}

/**
 * The Instances section of the panel, wired to the panel's model: its
 * actions and the Create instance dialog refresh instances and "running
 * now" when they start and when their operations end.
 */
export function InstancesSection(props: InstancesSection.IProps): JSX.Element {
  const { model, api, follower, trans } = props;
  const changed = () => {
    void model.refreshInstances();
    void model.refreshRunning();
  };
  const create = async () => {
    const machines = props.loadMachines
      ? await props.loadMachines().catch(() => null)
      : null;
    await createInstanceFlow({
      api,
      follower,
      machines,
      trans,
      onChanged: changed
    });
  };
  return (
    <InstanceList
      state={model.instances}
      trans={trans}
      api={api}
      follower={follower}
      onRefresh={() => void model.refreshInstances()}
      onChanged={changed}
      onCreate={() => void create()}
      hideError={props.hideError}
      onOpen={props.onOpen}
    />
  );
}

export namespace InstancesSection {
  export interface IProps {
    model: IVertexModel;
    api: IVertexAPI;
    follower: IOperationFollower | null;
    trans: TranslationBundle;
    /**
     * The machine types and the GPUs each takes (`GET /training/options`);
     * without it the form takes any text and the server judges it.
     */
    loadMachines?: () => Promise<ReadonlyArray<IMachineOption> | null>;
    hideError?: (error: VertexAPIError) => boolean;
    onOpen?: (instance: IInstance) => void;
  }
}
