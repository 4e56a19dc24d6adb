import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/**
 * Placeholder plugin; the panel lands in src/widgets.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-vertex:plugin',
  description: 'Vertex AI in JupyterLab.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    console.debug('jupyter-vertex activated');
  }
};

export default plugin;
