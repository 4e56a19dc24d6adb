import { plugins } from './plugins';

export default plugins;
// What other extensions may import, as before the plugins/ split.
export * from './tokens';
export { requestAPI, VertexAPIError } from './api/request';
export { VertexClient } from './api/client';
export { VertexModel } from './model/VertexModel';
