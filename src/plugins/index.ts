import { apiPlugin } from './api';
import { commandsPlugin } from './commands';
import { modelPlugin } from './model';
import { panelPlugin } from './panel';
import { pipelinesPlugin } from './pipelines';
import { predictPlugin } from './predict';

/**
 * The extension's plugins: the REST client first, then those requiring it.
 */
export const plugins = [
  apiPlugin,
  modelPlugin,
  panelPlugin,
  commandsPlugin,
  pipelinesPlugin,
  predictPlugin
];
