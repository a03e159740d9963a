// Second-order graphs from any graph with a scalar loss: the gradient g(w), and the exact
// Hessian-vector product Hv = ∇_w⟨g(w), v⟩, built by running the reverse-mode driver a second
// time over the forward *and* backward nodes (reverse-over-reverse). Only standard ONNX ops come
// out, so stock ONNX Runtime runs them.
import { TensorSpec, TrainingArtifacts } from '../autodiff/artifacts';
import { backward } from '../autodiff/backward';
import { GraphBuilder } from '../onnx/builder';
import { DataType } from '../onnx/dtype';
import { Graph, Model, cloneModel, defaultOpset } from '../onnx/ir';
import { inferShapes } from '../onnx/shape-inference';
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
}

/** Appends g = ∇loss to a copy of `model`; unused parameters get explicit zeros. */
function withGradient(model: Model, spec: SecondOrderSpec): Prepared {
  const m = cloneModel(model);
  const g = m.graph;
  const opset = defaultOpset(m);
  const facts = inferShapes(g, opset);
  const lf = facts.get(spec.loss);
  if (!lf || lf.shape?.length !== 0 || lf.dtype !== DataType.FLOAT) throw new GeometryError(`the loss '${spec.loss}' must be a float32 scalar of the graph`);
  for (const p of spec.params) if (!g.inputs.some((v) => v.name === p.name)) throw new GeometryError(`'${p.name}' is not an input of the graph; parameters must be graph inputs`);
  const b = new GraphBuilder(g, opset, facts);
  const forward = [...g.nodes];
  const one = b.scalar(1);
  const dw = backward(b, forward, { wrt: spec.params.map((p) => p.name), seeds: new Map([[spec.loss, one]]) });
  const grads = spec.params.map((p) => dw.get(p.name) ?? b.zerosLike(p.name));
  g.valueInfo = new Map();
  return { model: m, graph: g, b, grads };
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
  return { model: m, grads: names };
}

/**
 * The exact Hessian-vector product: v enters as one input per parameter, s = Σ_p ⟨g_p, v_p⟩ is
 * formed, and the driver differentiates s with respect to the parameters through the whole graph
 * (the gradient's own nodes included), giving Hv.
 */
export function buildHvpGraph(model: Model, spec: SecondOrderSpec): HvpGraph {
  const { model: m, graph: g, b, grads } = withGradient(model, spec);
  const vs = spec.params.map((p) => {
    const name = b.fresh(`${p.name}_v`);
    g.inputs.push({ name, dtype: DataType.FLOAT, shape: p.dims });
    b.facts.set(name, { dtype: DataType.FLOAT, shape: p.dims });
    return name;
  });
  const terms = spec.params.map((p, i) => b.reduce('ReduceSum', b.op('Mul', [grads[i], vs[i]]), p.dims.map((_, k) => k), false));
  const s = terms.length === 1 ? terms[0] : b.op('Sum', terms, {}, 'grad_dot_v');
  const dh = backward(b, [...g.nodes], { wrt: spec.params.map((p) => p.name), seeds: new Map([[s, b.scalar(1)]]) });
  const hvs = spec.params.map((p) => output(b, dh.get(p.name) ?? b.zerosLike(p.name), `${p.name}_hvp`));
  g.outputs = [g.outputs.find((o) => o.name === spec.loss) ?? { name: spec.loss, dtype: DataType.FLOAT, shape: [] },
    ...hvs.map((name, i) => ({ name, dtype: DataType.FLOAT, shape: spec.params[i].dims }))];
  g.name = `${g.name || 'model'}_hvp`;
  return { model: m, vs, hvs };
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
  const spec: SecondOrderSpec = { loss: 'loss', params: artifacts.params };
  return { gradient: buildGradientGraph(artifacts.evalModel, spec), hvp: buildHvpGraph(artifacts.evalModel, spec) };
}
