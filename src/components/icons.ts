import { LabIcon } from '@jupyterlab/ui-components';

/**
 * The panel's icon: a "V" drawn as two edges meeting at a vertex, with a node
 * at each end. Single colour through JupyterLab's `jp-icon3` class, so it
 * follows the light and dark themes like the other sidebar icons.
 */
const vertexSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="-0.06" y="9.8" width="16.12" height="2.4" rx="1.2" transform="rotate(60.26 8 11)"/>
    <rect x="7.94" y="9.8" width="16.12" height="2.4" rx="1.2" transform="rotate(-60.26 16 11)"/>
    <circle cx="4" cy="4" r="2.6"/>
    <circle cx="20" cy="4" r="2.6"/>
    <circle cx="12" cy="18.5" r="3.5"/>
  </g>
</svg>`;

export const vertexIcon = new LabIcon({
  name: 'jupyter-vertex:vertex',
  svgstr: vertexSvg
});

/**
 * Tab icons, one per kind of resource (single colour through `jp-icon3`,
 * like the panel's): a job runs (a play sign in a circle), a model is a
 * built artefact (a cube), an endpoint serves (a node with links out), an
 * instance is a machine (a server rack).
 */
function tabIcon(name: string, body: string): LabIcon {
  return new LabIcon({
    name: `jupyter-vertex:${name}`,
    svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">${body}</g></svg>`
  });
}

export const jobIcon = tabIcon(
  'job',
  '<path fill-rule="evenodd" d="M12 2a10 10 0 1 1 0 20a10 10 0 0 1 0-20zm0 2.2a7.8 7.8 0 1 0 0 15.6a7.8 7.8 0 0 0 0-15.6z"/><path d="M9.5 7.5v9l7-4.5z"/>'
);

export const modelIcon = tabIcon(
  'model',
  '<path fill-rule="evenodd" d="M12 1.8l9 5.1v10.2l-9 5.1l-9-5.1V6.9zm0 2.5L6 7.7l6 3.4l6-3.4zM5.2 9.6v6.2l5.7 3.2v-6.2zm13.6 0l-5.7 3.2V19l5.7-3.2z"/>'
);

export const endpointIcon = tabIcon(
  'endpoint',
  '<circle cx="12" cy="12" r="3.6"/><circle cx="4" cy="4.5" r="2.2"/><circle cx="20" cy="4.5" r="2.2"/><circle cx="20" cy="19.5" r="2.2"/><circle cx="4" cy="19.5" r="2.2"/><g class="jp-icon3" stroke="#616161" stroke-width="1.6"><path d="M5 5.5l5 5M19 5.5l-5 5M19 18.5l-5-5M5 18.5l5-5"/></g>'
);

export const instanceIcon = tabIcon(
  'instance',
  '<path fill-rule="evenodd" d="M3 3h18v8H3zm2 2v4h14V5zM3 13h18v8H3zm2 2v4h14v-4z"/><circle cx="16.5" cy="7" r="1.2"/><circle cx="16.5" cy="17" r="1.2"/>'
);

/**
 * A batch prediction job: a stack of rows going through (rows and an arrow).
 */
export const batchJobIcon = tabIcon(
  'batch-job',
  '<path d="M3 4h11v2.4H3zM3 9h11v2.4H3zM3 14h11v2.4H3zM3 19h11v2.4H3z"/><path d="M16 8.5l6 4.5l-6 4.5z"/>'
);

/**
 * A pipeline run: three tasks joined as a small DAG.
 */
export const pipelineIcon = tabIcon(
  'pipeline',
  '<rect x="2" y="3" width="7" height="5" rx="1"/><rect x="15" y="3" width="7" height="5" rx="1"/><rect x="8.5" y="16" width="7" height="5" rx="1"/><g class="jp-icon3" stroke="#616161" stroke-width="1.6" fill="none"><path d="M5.5 8v3.5h13V8M12 11.5V16"/></g>'
);
