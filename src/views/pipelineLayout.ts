// Loaded only through `pipelineLayout` in ./PipelineDag (dagre in a chunk of
// its own, fetched when a pipeline run's DAG is first shown).
import { graphlib, layout } from '@dagrejs/dagre';
import type { IPipelineGraph, IPipelineNode } from '../api/types';

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 44;
const MARGIN = 16;

export interface IPlacedNode {
  node: IPipelineNode;
  /**
   * The node's top-left corner and size.
   */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface IPlacedEdge {
  source: string;
  target: string;
  points: { x: number; y: number }[];
}

export interface IPipelineLayout {
  width: number;
  height: number;
  nodes: IPlacedNode[];
  edges: IPlacedEdge[];
}

/**
 * Where each task and edge of a pipeline's DAG goes, top to bottom, as
 * dagre lays it out (a sub-DAG's tasks hang below its node). Edges naming an
 * unknown node are left out.
 */
export function layoutPipeline(graph: IPipelineGraph): IPipelineLayout {
  const g = new graphlib.Graph();
  g.setGraph({
    rankdir: 'TB',
    nodesep: 28,
    ranksep: 40,
    marginx: MARGIN,
    marginy: MARGIN
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  const known = new Set(graph.nodes.map(node => node.id));
  const edges = graph.edges.filter(
    edge => known.has(edge.source) && known.has(edge.target)
  );
  for (const edge of edges) {
    g.setEdge(edge.source, edge.target);
  }
  layout(g);
  const size = g.graph();
  return {
    width: Math.ceil(size.width ?? NODE_WIDTH + 2 * MARGIN),
    height: Math.ceil(size.height ?? NODE_HEIGHT + 2 * MARGIN),
    nodes: graph.nodes.map(node => {
      const placed = g.node(node.id);
      return {
        node,
        x: placed.x - NODE_WIDTH / 2,
        y: placed.y - NODE_HEIGHT / 2,
        width: NODE_WIDTH,
        height: NODE_HEIGHT
      };
    }),
    edges: edges.map(edge => ({
      ...edge,
      points: (g.edge(edge.source, edge.target).points ?? []).map(
        (p: { x: number; y: number }) => ({
          x: p.x,
          y: p.y
        })
      )
    }))
  };
}
