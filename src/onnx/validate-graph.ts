// Structural checks ONNX Runtime makes when it loads a model, made at load time so that a model it
// would reject is refused in one sentence before crsam builds anything from it: every value
// defined once, every input defined, no cycle, tensor element types that exist.
import { BYTES_PER_ELEMENT, dtypeName } from './dtype';
import { OnnxFormatError } from './errors';
import { Graph, ValueInfo, topologicalOrder } from './ir';
import type { Facts } from './shape-inference';

/** Refuses a graph ONNX Runtime would refuse; `label` names the model in messages. */
export function validateGraph(graph: Graph, label: string): void {
  checkGraph(graph, label, new Set(), true);
}

/** `outer`: names a subgraph may read from the enclosing graphs. */
function checkGraph(graph: Graph, label: string, outer: ReadonlySet<string>, top: boolean): void {
  const where = top ? label : `a subgraph of ${label}`;
  const defined = new Set<string>();
  const define = (name: string, what: string): void => {
    if (defined.has(name)) throw new OnnxFormatError(`${where} defines the value '${name}' twice (${what}); every value needs one unique name`);
    defined.add(name);
  };
  for (const v of graph.inputs) {
    if (top) checkType(v, 'input', where);
    if (!graph.initializers.has(v.name)) define(v.name, 'as a graph input');
  }
  for (const name of graph.initializers.keys()) define(name, 'as an initializer');
  for (const n of graph.nodes) {
    if (!n.opType) throw new OnnxFormatError(`${where} has a node ('${n.name}') without an op type; the file is corrupt`);
    for (const o of n.outputs) if (o) define(o, `as an output of ${n.opType} node '${n.name}'`);
  }
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (i && !defined.has(i) && !outer.has(i)) {
        throw new OnnxFormatError(`${where}: ${n.opType} node '${n.name}' reads the value '${i}', which nothing defines (no input, initializer or node output has that name)`);
      }
    }
    for (const a of n.attributes.values()) {
      if (a.type === 'graph') checkGraph(a.value, label, new Set([...outer, ...defined]), false);
    }
  }
  for (const v of graph.outputs) {
    if (top) checkType(v, 'output', where);
    if (!defined.has(v.name) && !outer.has(v.name)) throw new OnnxFormatError(`${where} has the output '${v.name}', which nothing computes`);
  }
  try {
    topologicalOrder(graph);
  } catch {
    // Every input is defined (checked above), so the order can only fail on a cycle.
    throw new OnnxFormatError(`${where} has a cycle: some nodes depend on their own outputs, so it cannot be run`);
  }
}

function checkType(v: ValueInfo, what: string, where: string): void {
  if (BYTES_PER_ELEMENT[v.dtype] !== undefined) return;
  const type = (v.dtype as number) === 0 ? 'no element type' : `the element type ${dtypeName(v.dtype)}, which crsam does not support`;
  throw new OnnxFormatError(`${where}: the graph ${what} '${v.name}' has ${type}; re-export it with a numeric type`);
}

/**
 * Refuses graph outputs declared with another element type than the graph computes (a float
 * classifier whose logits are declared bool or int64): ONNX Runtime refuses such a model when it
 * loads it, and crsam would otherwise train on what the graph computes, not what it declares.
 */
export function checkDeclaredOutputTypes(graph: Graph, facts: Facts, label: string): void {
  for (const v of graph.outputs) {
    const f = facts.get(v.name);
    if (!f || (v.dtype as number) === 0 || f.dtype === v.dtype) continue;
    throw new OnnxFormatError(`${label}: the graph output '${v.name}' is declared ${dtypeName(v.dtype)}, but the graph computes it as ${dtypeName(f.dtype)}; re-export the model so the two agree`);
  }
}
