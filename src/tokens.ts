/**
 * The plugin id; `schema/plugin.json` holds its settings.
 */
export const PLUGIN_ID = 'jupyter-vertex:plugin';

/**
 * The id of the sidebar panel (also its layout-restorer key).
 */
export const PANEL_ID = 'jp-vertex-panel';

/**
 * Command ids.
 */
export namespace CommandIDs {
  export const openPanel = 'jupyter-vertex:open-panel';
  export const refresh = 'jupyter-vertex:refresh';
  /**
   * Open a job, model, endpoint or instance as a main-area tab; args
   * `{kind, jobKind?, id}` (src/tabs/resources.ts).
   */
  export const open = 'jupyter-vertex:open';
  export const train = 'jupyter-vertex:train';
  export const createInstance = 'jupyter-vertex:create-instance';
  export const runPipeline = 'jupyter-vertex:run-pipeline';
}

// The public surface for other extensions, as before the split.
export * from './api/types';
export { IVertexAPI } from './api/vertexAPI';
export * from './model/tokens';
export { IVertexNavigator } from './panel/tokens';
