import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { IPipelineGraph } from '../api/types';
import { stateLabel } from '../components/format';
import { Lazy, LazyModule } from '../components/lazy';
import type { IPipelineLayout } from './pipelineLayout';

/**
 * The layout code with dagre, fetched when a pipeline run's DAG is first
 * shown, not with the extension's entry (JupyterLab stays light).
 */
export const pipelineLayout = new LazyModule(() => import('./pipelineLayout'));

/**
 * A pipeline run's DAG as SVG, laid out by dagre: each task a box coloured by
 * its state (`jp-Vertex-dagNode-<state>`), edges with arrows. A task is a
 * button: clicking it (or Enter) selects it.
 */
export function PipelineDag(props: PipelineDag.IProps): JSX.Element {
  return (
    <Lazy
      module={pipelineLayout}
      loading={props.trans.__('Laying out the graph…')}
    >
      {layout => <PlacedDag {...props} layout={layout.layoutPipeline} />}
    </Lazy>
  );
}

export namespace PipelineDag {
  export interface IProps {
    graph: IPipelineGraph;
    selected: string | null;
    onSelect: (nodeId: string) => void;
    trans: TranslationBundle;
  }
}

function PlacedDag(
  props: PipelineDag.IProps & {
    layout: (graph: IPipelineGraph) => IPipelineLayout;
  }
): JSX.Element {
  const { graph, trans } = props;
  // The layout depends on the DAG's shape only, not on the states.
  const shape = JSON.stringify([
    graph.nodes.map(n => n.id),
    graph.edges.map(e => [e.source, e.target])
  ]);
  const placed = React.useMemo(() => props.layout(graph), [shape]);
  const byId = new Map(graph.nodes.map(node => [node.id, node]));
  return (
    <svg
      className="jp-Vertex-dag"
      role="group"
      aria-label={trans.__('Pipeline graph')}
      width={placed.width}
      height={placed.height}
      viewBox={`0 0 ${placed.width} ${placed.height}`}
    >
      <defs>
        <marker
          id="jp-Vertex-dagArrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0 0L10 5L0 10z" className="jp-Vertex-dagArrow" />
        </marker>
      </defs>
      {placed.edges.map(edge => (
        <polyline
          key={`${edge.source}->${edge.target}`}
          className="jp-Vertex-dagEdge"
          data-edge={`${edge.source}->${edge.target}`}
          points={edge.points.map(p => `${p.x},${p.y}`).join(' ')}
          markerEnd="url(#jp-Vertex-dagArrow)"
        />
      ))}
      {placed.nodes.map(({ x, y, width, height, node: listed }) => {
        const node = byId.get(listed.id) ?? listed;
        const state = node.state;
        const label = taskStateLabel(state, trans);
        const selected = props.selected === node.id;
        return (
          <g
            key={node.id}
            className={
              `jp-Vertex-dagNode jp-Vertex-dagNode-${state.toLowerCase()}` +
              (node.dag ? ' jp-mod-dag' : '') +
              (selected ? ' jp-mod-selected' : '')
            }
            data-node={node.id}
            data-state={state}
            transform={`translate(${x},${y})`}
            role="button"
            tabIndex={0}
            aria-pressed={selected}
            aria-label={trans.__('Task %1, %2', node.label, label)}
            onClick={() => props.onSelect(node.id)}
            onKeyDown={event => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                props.onSelect(node.id);
              }
            }}
          >
            <rect width={width} height={height} rx={6} />
            <text x={10} y={18} className="jp-Vertex-dagLabel">
              {clip(node.label, 22)}
            </text>
            <text x={10} y={35} className="jp-Vertex-dagState">
              {node.taskIds.length > 1
                ? trans.__('%1 · %2 runs', label, node.taskIds.length)
                : label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/**
 * A task's state for people: Vertex AI's task states beside the jobs' ones.
 */
export function taskStateLabel(
  state: string,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'SKIPPED':
      return trans.__('Cached');
    case 'NOT_TRIGGERED':
      return trans.__('Not triggered');
    case 'CANCEL_PENDING':
      return trans.__('Cancelling');
    default:
      return stateLabel(state, trans);
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
