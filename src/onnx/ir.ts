// The graph IR: plain data that transformations read and write. Values are named; a node's
// inputs and outputs are value names ('' marks an omitted optional input).
import { DataType, TypedArray } from './dtype';
import { OnnxFormatError } from './errors';

/** A dimension: a number when known, a name (e.g. 'N') when symbolic, null when unknown. */
export type Dim = number | string | null;
export type Shape = readonly Dim[];

export interface ValueInfo {
  readonly name: string;
  readonly dtype: DataType;
  /** undefined when even the rank is unknown. */
  readonly shape?: Shape;
  readonly docString?: string;
  /** Encoded fields of the file this came from that crsam does not model (onnx/pass-through.ts); written back unchanged. */
  readonly passThrough?: Uint8Array;
}

export interface Tensor {
  readonly name: string;
  readonly dtype: DataType;
  readonly dims: readonly number[];
  readonly data: TypedArray;
  readonly docString?: string;
  /** Encoded fields of the file this came from that crsam does not model (onnx/pass-through.ts); written back unchanged. */
  readonly passThrough?: Uint8Array;
}

export type Attribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] };

export interface Node {
  opType: string;
  /** '' is the default ONNX domain. */
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, Attribute>;
  docString?: string;
  /** Encoded fields of the file this came from that crsam does not model (onnx/pass-through.ts); written back unchanged. */
  readonly passThrough?: Uint8Array;
  /** In-memory annotations of our passes; never written to a file. */
  meta?: NodeAnnotations;
}

/** What our passes tell the backward pass about a node they emitted. */
export interface NodeAnnotations {
  /** No gradient flows through this node (batch statistics, stop-gradients of the HVP graph). */
  readonly noGrad?: boolean;
  /** On a lowered training BatchNormalization: the batch statistics its gradient rule reuses. */
  readonly batchStats?: BatchStats;
}

/** Values (by name) of a training BatchNormalization's batch statistics. */
export interface BatchStats {
  /** x − mean, kept for the backward pass. */
  readonly centered: string;
  /** Batch mean and biased variance, [C]. */
  readonly mean: string;
  readonly variance: string;
  /** Elements per channel (N·spatial) as a float scalar. */
  readonly count: string;
  readonly epsilon: number;
}

export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  /** Known types and shapes of intermediate values. */
  valueInfo: Map<string, ValueInfo>;
  docString?: string;
  /** Encoded fields of the file this came from that crsam does not model (onnx/pass-through.ts); written back unchanged. */
  readonly passThrough?: Uint8Array;
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadataProps: Map<string, string>;
  graph: Graph;
  /** Encoded fields of the file this came from that crsam does not model (onnx/pass-through.ts); written back unchanged. */
  readonly passThrough?: Uint8Array;
}

/** The version of the default ONNX domain the model imports. */
export function defaultOpset(model: Model): number {
  const imp = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!imp) throw new OnnxFormatError('the model imports no version of the default ONNX domain (opset_import is missing); re-export it with an opset');
  return imp.version;
}

export function tensorSize(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

type AttributeKind = Attribute['type'];
type AttributeValues = { [A in Attribute as A['type']]: A['value'] };
const KIND_NAMES: Readonly<Record<AttributeKind, string>> = {
  float: 'a float', int: 'an int', string: 'a string', tensor: 'a tensor', graph: 'a graph', floats: 'floats', ints: 'ints', strings: 'strings',
};

/** The attribute's value, or undefined without one; refuses an attribute of another kind. */
function attrOf<K extends AttributeKind>(node: Node, name: string, kind: K): AttributeValues[K] | undefined {
  const a = node.attributes.get(name);
  if (!a) return undefined;
  if (a.type !== kind) throw new OnnxFormatError(`attribute ${name} of ${node.opType} node '${node.name}' should be ${KIND_NAMES[kind]}, not ${a.type}; the model is malformed`);
  return a.value as AttributeValues[K];
}

/** Reads a scalar or list attribute with a default, checking its kind. */
export function attrInt(node: Node, name: string, dflt: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, dflt?: number): number | undefined {
  return attrOf(node, name, 'int') ?? dflt;
}

export const attrFloat = (node: Node, name: string, dflt: number): number => attrOf(node, name, 'float') ?? dflt;
export const attrInts = (node: Node, name: string): readonly number[] | undefined => attrOf(node, name, 'ints');
export const attrString = (node: Node, name: string, dflt: string): string => attrOf(node, name, 'string') ?? dflt;
export const attrTensor = (node: Node, name: string): Tensor | undefined => attrOf(node, name, 'tensor');

/** Nodes in an order where every value is produced before it is used (Kahn's algorithm, stable). */
export function topologicalOrder(graph: Graph): Node[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => { if (o) producer.set(o, i); }));
  const indeg = new Array<number>(graph.nodes.length).fill(0);
  const users: number[][] = graph.nodes.map(() => []);
  graph.nodes.forEach((n, i) => {
    for (const inp of new Set([...n.inputs, ...subgraphInputs(n)])) {
      const p = producer.get(inp);
      if (p !== undefined && p !== i) { indeg[i]++; users[p].push(i); }
    }
  });
  const ready: number[] = [];
  indeg.forEach((d, i) => { if (d === 0) ready.push(i); });
  const order: Node[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k];
    order.push(graph.nodes[i]);
    for (const u of users[i]) if (--indeg[u] === 0) ready.push(u);
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.find((_, i) => indeg[i] > 0);
    throw new Error(`the graph has a cycle or a missing producer (first stuck node: ${stuck?.opType} '${stuck?.name}')`);
  }
  return order;
}

/** Names an If/Loop/Scan body reads from the enclosing scope. */
function subgraphInputs(node: Node): string[] {
  const out: string[] = [];
  for (const a of node.attributes.values()) {
    if (a.type !== 'graph') continue;
    const local = new Set<string>([...a.value.inputs.map((v) => v.name), ...a.value.initializers.keys()]);
    for (const n of a.value.nodes) {
      for (const i of n.inputs) if (i && !local.has(i)) out.push(i);
      for (const o of n.outputs) local.add(o);
    }
  }
  return out;
}

/** A shallow structural copy: new node objects and maps, shared tensor data. */
export function cloneModel(model: Model): Model {
  return {
    ...model,
    opsetImports: [...model.opsetImports],
    metadataProps: new Map(model.metadataProps),
    graph: cloneGraph(model.graph),
  };
}

function cloneGraph(g: Graph): Graph {
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: new Map(n.attributes), meta: n.meta ? { ...n.meta } : undefined })),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    initializers: new Map(g.initializers),
    valueInfo: new Map(g.valueInfo),
  };
}
