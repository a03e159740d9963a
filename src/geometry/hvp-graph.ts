// Second-order graphs from any graph with a scalar loss: the gradient g(w), and the exact
// Hessian-vector product Hv = ∇_w⟨g(w), v⟩, built by running the reverse-mode driver a second
// time over the forward *and* backward nodes (reverse-over-reverse). Only standard ONNX ops come
// out, so stock ONNX Runtime runs them.
import { TensorSpec, TrainingArtifacts } from '../autodiff/artifacts';
import { backward } from '../autodiff/backward';
import { lowerRecurrentNodes } from '../autodiff/lowering/recurrent';
import { GraphContract } from '../autodiff/graph-contract';
import { GraphBuilder } from '../onnx/builder';
import { DataType } from '../onnx/dtype';
import { Graph, Model, cloneModel, defaultOpset } from '../onnx/ir';
import { inferShapes } from '../onnx/shape-inference';
import { ConvSite, convWeightSeeds, emitConvWeightGradient, isolateConvWeights } from './conv-sites';
import { GeometryError } from './errors';

/** Which value of the graph is the loss and which graph inputs are the parameters. */
export interface SecondOrderSpec {
  /** Name of the scalar (rank-0) float loss. */
  readonly loss: string;
  /** Parameters (graph inputs) to differentiate with respect to, in flat-vector order. */
  readonly params: readonly TensorSpec[];
}

export interface GradientGraph {
  /** The input model's outputs, then one gradient output per parameter. */
  readonly model: Model;
  /** Output name of each parameter's gradient, in `params` order. */
  readonly grads: readonly string[];
}

export interface HvpGraph {
  /** Outputs: the loss, then Hv per parameter. Inputs: the model's, then v per parameter. */
  readonly model: Model;
  /** Input name of each parameter's v. */
  readonly vs: readonly string[];
  /** Output name of each parameter's Hv. */
  readonly hvs: readonly string[];
}

interface Prepared {
  readonly model: Model;
  readonly graph: Graph;
  readonly b: GraphBuilder;
  readonly grads: string[];
  /** Conv weights whose dW was emitted by hand (HVP graphs only), with their dY. */
  readonly sites: readonly { readonly site: ConvSite; readonly dy: string }[];
}

/**
 * Appends g = ∇loss to a copy of `model`; unused parameters get explicit zeros. With `convSites`,
 * conv weight gradients are emitted by hand so the second pass can skip them (see conv-sites.ts).
 */
function withGradient(model: Model, spec: SecondOrderSpec, convSites = false): Prepared {
  const m = cloneModel(model);
  const g = m.graph;
  const opset = defaultOpset(m);
  const facts = inferShapes(g, opset);
  const lf = facts.get(spec.loss);
  if (!lf || lf.shape?.length !== 0 || lf.dtype !== DataType.FLOAT) throw new GeometryError(`the loss '${spec.loss}' must be a float32 scalar of the graph`);
  for (const p of spec.params) if (!g.inputs.some((v) => v.name === p.name)) throw new GeometryError(`'${p.name}' is not an input of the graph; parameters must be graph inputs`);
  const b = new GraphBuilder(g, opset, facts);
  lowerRecurrentNodes(b);
  const isolated = convSites ? isolateConvWeights(b, new Set(spec.params.map((p) => p.name))) : [];
  const forward = [...g.nodes];
  const one = b.scalar(1);
  const wrt = [...spec.params.map((p) => p.name), ...isolated.map((s) => s.y)];
  const dw = backward(b, forward, { wrt, seeds: new Map([[spec.loss, one]]) });
  const extra = new Map<string, string[]>();
  const sites: { site: ConvSite; dy: string }[] = [];
  for (const site of isolated) {
    const dy = dw.get(site.y);
    if (!dy) continue;
    sites.push({ site, dy });
    extra.set(site.weight, [...(extra.get(site.weight) ?? []), emitConvWeightGradient(b, site, dy)]);
  }
  const grads = spec.params.map((p) => {
    const parts = [dw.get(p.name), ...(extra.get(p.name) ?? [])].filter((x): x is string => !!x);
    if (parts.length === 0) return b.zerosLike(p.name);
    return parts.length === 1 ? parts[0] : b.op('Sum', parts);
  });
  g.valueInfo = new Map();
  return { model: m, graph: g, b, grads, sites };
}

/** Copies `value` to a fresh output named after `hint` (an Identity, which ORT elides). */
function output(b: GraphBuilder, value: string, hint: string): string {
  return b.node('Identity', [value], {}, { outputNames: [b.fresh(hint)] })[0];
}

/** The model plus the gradient of its loss with respect to the parameters. */
export function buildGradientGraph(model: Model, spec: SecondOrderSpec): GradientGraph {
  const { model: m, graph: g, b, grads } = withGradient(model, spec);
  const names = spec.params.map((p, i) => output(b, grads[i], `${p.name}_grad`));
  g.outputs = [...g.outputs, ...names.map((name, i) => ({ name, dtype: DataType.FLOAT, shape: spec.params[i].dims }))];
  pruneDeadNodes(g);
  return { model: m, grads: names };
}

/**
 * The exact Hessian-vector product: v enters as one input per parameter, s = Σ_p ⟨g_p, v_p⟩ is
 * formed, and the driver differentiates s with respect to the parameters through the whole graph
 * (the gradient's own nodes included), giving Hv.
 */
export function buildHvpGraph(model: Model, spec: SecondOrderSpec): HvpGraph {
  const { model: m, graph: g, b, grads, sites } = withGradient(model, spec, true);
  const vs = spec.params.map((p) => {
    const name = b.fresh(`${p.name}_v`);
    g.inputs.push({ name, dtype: DataType.FLOAT, shape: p.dims });
    b.facts.set(name, { dtype: DataType.FLOAT, shape: p.dims });
    return name;
  });
  const terms = spec.params.map((p, i) => b.reduce('ReduceSum', b.op('Mul', [grads[i], vs[i]]), p.dims.map((_, k) => k), false));
  const s = terms.length === 1 ? terms[0] : b.op('Sum', terms, {}, 'grad_dot_v');
  // The second pass differentiates through the conv weights again (the forward Conv's own dW and
  // the weight of its dX), and takes the hand-emitted dW's second-order terms as seeds.
  const seeds = new Map<string, string[]>([[s, [b.scalar(1)]]]);
  const vOf = new Map(spec.params.map((p, i) => [p.name, vs[i]]));
  for (const { site, dy } of sites) {
    site.stop.meta = undefined;
    const seed = convWeightSeeds(b, site, dy, vOf.get(site.weight) as string);
    seeds.set(dy, [...(seeds.get(dy) ?? []), seed.dy]);
    seeds.set(site.x, [...(seeds.get(site.x) ?? []), seed.x]);
  }
  const merged = new Map([...seeds].map(([k, list]) => [k, list.length === 1 ? list[0] : b.op('Sum', list)]));
  const dh = backward(b, [...g.nodes], { wrt: spec.params.map((p) => p.name), seeds: merged });
  const hvs = spec.params.map((p) => output(b, dh.get(p.name) ?? b.zerosLike(p.name), `${p.name}_hvp`));
  g.outputs = [g.outputs.find((o) => o.name === spec.loss) ?? { name: spec.loss, dtype: DataType.FLOAT, shape: [] },
    ...hvs.map((name, i) => ({ name, dtype: DataType.FLOAT, shape: spec.params[i].dims }))];
  g.name = `${g.name || 'model'}_hvp`;
  pruneDeadNodes(g);
  return { model: m, vs, hvs };
}

/**
 * Drops nodes no graph output depends on. ONNX Runtime runs every node it is given, and Hv does
 * not depend on the value of g (s is linear in g): without this, the first pass's weight
 * gradients would be computed only to be thrown away.
 */
export function pruneDeadNodes(g: Graph): void {
  const live = new Set(g.outputs.map((o) => o.name));
  const keep = new Array<boolean>(g.nodes.length).fill(false);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (!n.outputs.some((o) => o && live.has(o))) continue;
    keep[k] = true;
    for (const i of n.inputs) if (i) live.add(i);
  }
  g.nodes = g.nodes.filter((_, k) => keep[k]);
  const inputs = new Set(g.inputs.map((v) => v.name));
  for (const name of [...g.initializers.keys()]) if (!live.has(name) && !inputs.has(name)) g.initializers.delete(name);
}

/** The geometry graphs of a trainable classifier: built from its eval graph (BatchNorm on running statistics). */
export interface GeometryGraphs {
  /** Inputs: data, labels, parameters, buffers. Outputs: loss, the model's outputs, gradients. */
  readonly gradient: GradientGraph;
  /** Inputs: data, labels, parameters, buffers, v. Outputs: loss, Hv. */
  readonly hvp: HvpGraph;
}

/**
 * Gradient and Hessian-vector-product graphs for geometry. They differentiate the eval graph, so
 * BatchNorm uses its running statistics (inference mode), as PyHessian does (it calls
 * model.eval()): the loss is then a fixed function of the weights, independent of how the data are
 * batched, and its Hessian is well defined.
 */
export function buildGeometryGraphs(artifacts: TrainingArtifacts): GeometryGraphs {
  const spec = geometrySpec(artifacts);
  return { gradient: buildGradientGraph(artifacts.evalModel, spec), hvp: buildHvpGraph(artifacts.evalModel, spec) };
}

function geometrySpec(artifacts: TrainingArtifacts): SecondOrderSpec {
  return { loss: artifacts.evalContract.outputs.loss, params: artifacts.params };
}

export type GeometryGraphKind = 'eval' | 'gradient' | 'hvp';

/**
 * One geometry graph with its contract, from the artifacts' eval graph: 'eval' (loss and logits,
 * dead nodes pruned), 'gradient' (plus grads) or 'hvp' (direction inputs; loss and hvps out).
 */
export function buildContractGraph(artifacts: TrainingArtifacts, kind: GeometryGraphKind): { readonly model: Model; readonly contract: GraphContract } {
  const base = artifacts.evalContract;
  if (kind === 'eval') {
    const model = cloneModel(artifacts.evalModel);
    pruneDeadNodes(model.graph);
    return { model, contract: base };
  }
  if (kind === 'gradient') {
    const g = buildGradientGraph(artifacts.evalModel, geometrySpec(artifacts));
    return { model: g.model, contract: { ...base, outputs: { ...base.outputs, grads: g.grads } } };
  }
  const h = buildHvpGraph(artifacts.evalModel, geometrySpec(artifacts));
  return { model: h.model, contract: { ...base, directions: h.vs, outputs: { loss: base.outputs.loss, hvps: h.hvs } } };
}
