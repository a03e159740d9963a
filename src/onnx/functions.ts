// Model-local functions (ModelProto.functions, as newer exporters emit them): every call is
// replaced by the function's body before anything else reads the graph, so shape inference and
// the autodiff only ever see standard ops.
import { CrsamError } from '../core/errors';
import { Attribute, Graph, Node } from './ir';

/** A local function the loader cannot inline; one sentence for the user. */
export class LocalFunctionError extends CrsamError {
  override readonly name = 'LocalFunctionError';
}

/** A decoded FunctionProto. */
export interface LocalFunction {
  readonly name: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Default values of attributes (FunctionProto.attribute_proto); names without a default are absent. */
  readonly attributeDefaults: ReadonlyMap<string, Attribute>;
  readonly nodes: readonly FunctionNode[];
}

export interface FunctionNode {
  readonly node: Node;
  /** Attributes that take the caller's value: attribute name → the function attribute it refers to. */
  readonly attributeRefs: ReadonlyMap<string, string>;
}

/** Calls nested deeper than this are a recursion, which ONNX forbids. */
const MAX_DEPTH = 32;

/** Replaces every call of a local function by its body (recursively), in place; returns the graph. */
export function inlineLocalFunctions(graph: Graph, functions: readonly LocalFunction[], label: string): Graph {
  if (functions.length === 0) return graph;
  const byKey = new Map(functions.map((f) => [`${f.domain}::${f.name}`, f]));
  const used = new Set<string>();
  for (const n of graph.nodes) { n.inputs.forEach((v) => used.add(v)); n.outputs.forEach((v) => used.add(v)); }
  graph.inputs.forEach((v) => used.add(v.name));
  for (const k of graph.initializers.keys()) used.add(k);
  const fresh = (hint: string): string => {
    let name = hint;
    for (let k = 1; used.has(name); k++) name = `${hint}_${k}`;
    used.add(name);
    return name;
  };
  const expand = (nodes: readonly Node[], depth: number): Node[] => nodes.flatMap((n) => {
    const f = byKey.get(`${n.domain}::${n.opType}`);
    if (!f) return [n];
    if (depth >= MAX_DEPTH) throw new LocalFunctionError(`${label}: the local function ${f.domain}.${f.name} calls itself (recursion deeper than ${MAX_DEPTH}); ONNX functions cannot recurse`);
    return expand(instantiate(f, n, fresh), depth + 1);
  });
  graph.nodes = expand(graph.nodes, 0);
  return graph;
}

/** The body of `f` for one call: formal inputs and outputs bound to the call's values, internal values renamed apart. */
function instantiate(f: LocalFunction, call: Node, fresh: (hint: string) => string): Node[] {
  const names = new Map<string, string>();
  f.inputs.forEach((formal, i) => names.set(formal, call.inputs[i] ?? ''));
  f.outputs.forEach((formal, i) => names.set(formal, call.outputs[i] ?? ''));
  const prefix = call.name || f.name;
  const bind = (v: string): string => {
    if (!v) return '';
    let actual = names.get(v);
    if (actual === undefined) { actual = fresh(`${prefix}/${v}`); names.set(v, actual); }
    return actual;
  };
  return f.nodes.map(({ node, attributeRefs }) => {
    const attributes = new Map(node.attributes);
    for (const [attr, ref] of attributeRefs) {
      const value = call.attributes.get(ref) ?? f.attributeDefaults.get(ref);
      if (value) attributes.set(attr, value); // an unset reference leaves the op's own default
    }
    return {
      ...node,
      name: `${prefix}/${node.name || node.opType}`,
      inputs: node.inputs.map(bind),
      outputs: node.outputs.map(bind),
      attributes,
    };
  });
}
