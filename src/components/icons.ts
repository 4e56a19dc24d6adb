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
