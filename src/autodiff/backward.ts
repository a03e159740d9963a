// The reverse-mode driver: walks the graph backwards over the nodes that lie between the
// parameters and the loss, calls one rule per node, un-broadcasts and accumulates gradients.
import { GraphBuilder } from '../onnx/builder';
import { isFloatType } from '../onnx/dtype';
import { Graph, Node, Shape, topologicalOrder } from '../onnx/ir';
import { ShapeInferenceError, describeFact } from '../onnx/shape-inference';
import { GRADIENT_RULES } from './registry';
import { AutodiffError, GradContext } from './types';
import { missingOps, unsupportedOpsError } from './unsupported-ops';

export interface BackwardOptions {
  /** Values to differentiate with respect to. */
  readonly wrt: readonly string[];
  /** Seed gradients: value name → name of its gradient (e.g. dLoss/dLogits). */
  readonly seeds: ReadonlyMap<string, string>;
}

/**
 * Appends the backward pass to `b.graph`; returns the gradient value of each `wrt` name
 * (undefined when the loss does not depend on it).
 */
export function backward(b: GraphBuilder, forward: readonly Node[], options: BackwardOptions): Map<string, string | undefined> {
  const order = topologicalOrder({ ...b.graph, nodes: [...forward] } as Graph);
  // Forward: which values depend on a parameter (only those need gradients).
  const requires = new Set(options.wrt);
  for (const n of order) {
    if (n.meta?.noGrad) continue;
    if (GRADIENT_RULES[n.opType] === 'no-gradient') continue;
    if (n.inputs.some((i) => requires.has(i))) n.outputs.forEach((o) => o && isFloatType(b.fact(o).dtype) && requires.add(o));
  }
  // Backward reachability from the seeds, so we never emit work whose result is unused.
  const reaches = new Set(options.seeds.keys());
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    if (n.outputs.some((o) => reaches.has(o))) n.inputs.forEach((i) => i && reaches.add(i));
  }

  // Every node on a path from a parameter to the loss needs a rule: name all that lack one at once.
  const missing = order.filter((n) => !n.meta?.noGrad && (n.domain !== '' || GRADIENT_RULES[n.opType] === undefined)
    && n.inputs.some((i) => !!i && requires.has(i) && reaches.has(i)) && n.outputs.some((o) => reaches.has(o)));
  if (missing.length > 0) throw unsupportedOpsError(missingOps(missing, () => 'gradient'), b.opset);

  const contributions = new Map<string, string[]>();
  for (const [v, g] of options.seeds) contributions.set(v, [g]);

  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (node.meta?.noGrad) continue;
    const needs = node.inputs.map((i) => !!i && requires.has(i) && reaches.has(i));
    if (!needs.some(Boolean)) continue;
    const dOut = node.outputs.map((o) => (o ? finalize(b, o, contributions) : undefined));
    if (dOut.every((d) => d === undefined)) continue;
    const rule = GRADIENT_RULES[node.opType];
    if (node.domain !== '' || rule === undefined) throw unsupportedOpsError(missingOps([node], () => 'gradient'), b.opset);
    if (rule === 'no-gradient') continue;
    const ctx: GradContext = {
      node,
      b,
      opset: b.opset,
      needs,
      dOut,
      x: (i) => node.inputs[i],
      y: (i) => node.outputs[i],
      shape: (name) => b.shape(name),
      dtype: (name) => b.fact(name).dtype,
    };
    try {
      const grads = rule(ctx);
      node.inputs.forEach((input, i) => {
        const g = grads[i];
        if (!g || !needs[i]) return;
        const list = contributions.get(input) ?? [];
        list.push(unbroadcast(b, g, b.shape(input)));
        contributions.set(input, list);
      });
    } catch (e) {
      // The failing node is one we generated; name the user's node and its shapes instead.
      if (!(e instanceof ShapeInferenceError)) throw e;
      const shapes = node.inputs.filter(Boolean).map((i) => describeFact(b.facts.get(i))).join(', ');
      throw new AutodiffError(`cannot differentiate ${node.opType} node '${node.name}': the shapes of its inputs (${shapes}) do not fit together; check the model's declared input shape and this node's attributes`);
    }
  }
  const out = new Map<string, string | undefined>();
  for (const w of options.wrt) out.set(w, contributions.has(w) ? finalize(b, w, contributions) : undefined);
  return out;
}

/** Sums the contributions to `value`'s gradient and brings the sum to `value`'s shape. */
function finalize(b: GraphBuilder, value: string, contributions: Map<string, string[]>): string | undefined {
  const list = contributions.get(value);
  if (!list || list.length === 0) return undefined;
  let g = list.length === 1 ? list[0] : b.op('Sum', list, {}, `${value}_grad_sum`);
  const target = b.shape(value);
  const have = b.shape(g);
  if (target && have && !sameShape(target, have)) g = b.op('Expand', [g, b.op('Shape', [value])]);
  contributions.set(value, [g]);
  return g;
}

/** Reduces a gradient over the axes that broadcasting stretched. Smaller-than-input gradients are kept (expanded at the end). */
function unbroadcast(b: GraphBuilder, g: string, target: Shape | undefined): string {
  const have = b.shape(g);
  if (!target || !have || sameShape(target, have)) return g;
  const lead = have.length - target.length;
  const axes: number[] = [];
  for (let i = 0; i < have.length; i++) {
    if (i < lead) { axes.push(i); continue; }
    const t = target[i - lead];
    if (t === 1 && have[i] !== 1) axes.push(i);
  }
  if (axes.length === 0) return g;
  let r = b.reduce('ReduceSum', g, axes, true, 'unbroadcast');
  if (lead > 0) r = b.squeeze(r, Array.from({ length: lead }, (_, i) => i));
  return r;
}

/** Equal ranks and dims; an unknown dim matches any dim but 1 (a 1 against an unknown may need un-broadcasting). */
function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i] || (d === null && b[i] !== 1) || (b[i] === null && d !== 1));
}
