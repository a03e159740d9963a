// From a forward ONNX model to the three graphs users and the trainer consume:
//   training_model.onnx  inputs: data, labels, parameters, buffers
//                        outputs: loss, <param>_grad…, <buffer>_updated…, then the logits
//   eval_model.onnx      same inputs; outputs: loss, then the model's outputs (BatchNorm on running stats)
//   inference_model.onnx parameters baked in, inference mode: what you deploy.
import { GraphBuilder } from '../onnx/builder';
import { DataType, dtypeName, isFloatType } from '../onnx/dtype';
import { Graph, Model, Node, Tensor, ValueInfo, cloneModel, defaultOpset } from '../onnx/ir';
import { Facts, ShapeInferenceError, inferShapes } from '../onnx/shape-inference';
import { checkConstantSizes } from '../onnx/constant-size';
import { checkDeclaredOutputTypes } from '../onnx/validate-graph';
import { backward } from './backward';
import { initializerRoles } from './trainable';
import { GraphContract } from './graph-contract';
import { GRADIENT_RULES } from './registry';
import { missingOps, unsupportedOpsError } from './unsupported-ops';
import { SHAPE_RULES } from '../onnx/shape-rules/table';
import { appendCrossEntropy } from './loss';
import { inferenceBatchNorm, lowerTrainingBatchNorm } from './lowering/batch-norm';
import { RECURRENT_OPS, declareValueShapes, lowerRecurrent, recurrentForRuntime } from './lowering/recurrent';
import { AutodiffError } from './types';
import { evalExportWarning } from './eval-export';

export interface ArtifactOptions {
  /** Initializer names to keep fixed (not trained, not given a gradient). Default: none. */
  readonly frozen?: readonly string[];
  /** Label smoothing ε of the cross-entropy, in [0, 1). Default: 0. */
  readonly labelSmoothing?: number;
  /** Build without the warning about a model exported in eval mode (BatchNorm folded away). Default: false. */
  readonly allowEvalExport?: boolean;
}

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
}

export interface TrainingArtifacts {
  readonly trainingModel: Model;
  readonly evalModel: Model;
  readonly inferenceModel: Model;
  /** Trainable parameters in input order. */
  readonly params: readonly TensorSpec[];
  /** BatchNorm running statistics in input order. */
  readonly buffers: readonly TensorSpec[];
  /** The model's data inputs (without labels). */
  readonly dataInputs: readonly ValueInfo[];
  /** Name of the model output that holds the class scores. */
  readonly logits: string;
  readonly numClasses: number;
  /** Initial values, as stored in the forward model. */
  readonly initialValues: ReadonlyMap<string, Float32Array>;
  /** Parameters the loss does not depend on (their gradient is always zero). */
  readonly unusedParams: readonly string[];
  /** One-sentence warnings for the user (e.g. an eval-mode export); the caller shows them. */
  readonly warnings: readonly string[];
  /** Roles of trainingModel's inputs and outputs: loss, grads, buffer updates, logits. */
  readonly trainingContract: GraphContract;
  /** Roles of evalModel's inputs and outputs: loss, logits. */
  readonly evalContract: GraphContract;
}

export const MIN_OPSET = 13;
/** The newest default-domain opset onnxruntime-node 1.30 loads (measured: 26 loads, 27 is refused). */
const MAX_OPSET = 26;

/** The model's default-domain opset; refuses one older than MIN_OPSET, which crsam's shape rules assume. */
export function checkedOpset(model: Model): number {
  const opset = defaultOpset(model);
  if (opset < MIN_OPSET) throw new AutodiffError(`the model uses ONNX opset ${opset}; crsam needs opset ${MIN_OPSET} or newer (re-export with opset_version=${MIN_OPSET} or higher)`);
  return opset;
}

export function buildArtifacts(model: Model, options: ArtifactOptions = {}): TrainingArtifacts {
  const opset = checkedOpset(model);
  if (opset > MAX_OPSET) throw new AutodiffError(`the model uses ONNX opset ${opset}, newer than the ${MAX_OPSET} ONNX Runtime supports; re-export it with opset_version=${MAX_OPSET} or lower`);
  const foreign = model.graph.nodes.find((n) => n.domain !== '');
  if (foreign) throw new AutodiffError(`node '${foreign.name}' uses op ${foreign.domain}.${foreign.opType} outside the default ONNX domain; crsam emits and trains standard ONNX ops only`);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new AutodiffError(`label smoothing must be in [0, 1), got ${eps}`);
  const g = model.graph;

  // Without a shape rule nothing can be inferred: name every such op at once, with the ops that
  // also lack a gradient rule (the backward pass names the rest, for the nodes it actually needs).
  const missing = missingOps(g.nodes, (n) => (!SHAPE_RULES[n.opType] ? 'shape' : GRADIENT_RULES[n.opType] === undefined ? 'gradient' : undefined));
  if (missing.some((o) => o.missing === 'shape')) throw unsupportedOpsError(missing, opset);
  let facts: Facts;
  try {
    facts = inferShapes(g, opset);
    checkConstantSizes(g, facts, 'the model');
    checkDeclaredOutputTypes(g, facts, 'the model');
  } catch (e) {
    if (e instanceof ShapeInferenceError) throw new AutodiffError(e.invalidModel || /invalid shape/.test(e.message) ? e.message : `${e.message}; the op may be unsupported`);
    throw e;
  }
  const logits = g.outputs[0]?.name;
  if (!logits) throw new AutodiffError('the model has no outputs');
  const lf = facts.get(logits);
  const numClasses = lf?.shape?.[1];
  const batchDim = g.inputs.find((v) => !g.initializers.has(v.name))?.shape?.[0];
  const perSample = lf?.shape?.[0] === batchDim || lf?.shape?.[0] === null;
  if (!lf || !isFloatType(lf.dtype) || lf.shape?.length !== 2 || typeof numClasses !== 'number' || numClasses < 2 || !perSample) {
    throw new AutodiffError(`the model's output '${logits}' is ${lf ? `${dtypeName(lf.dtype)}[${lf.shape?.join(', ') ?? '?'}]` : 'of unknown type'}, not class scores [N, classes]; crsam trains classifiers (export the logits as the first output)`);
  }

  const frozen = new Set(options.frozen ?? []);
  for (const f of frozen) if (!g.initializers.has(f)) throw new AutodiffError(`--frozen names '${f}', which is not an initializer of the model`);
  const roles = initializerRoles(g, frozen);
  const params = roles.params.map((t) => spec(t));
  const buffers = roles.buffers.map((t) => spec(t));
  const kept = new Set([...params, ...buffers].map((t) => t.name));
  const initialValues = new Map([...g.initializers.values()].filter((t) => kept.has(t.name)).map((t) => [t.name, asFloat32(t)]));
  if (params.length === 0) throw new AutodiffError('the model has no trainable parameters (no float32 initializers left to train); nothing to do');
  const dataInputs = g.inputs.filter((v) => !g.initializers.has(v.name));
  const evalWarning = options.allowEvalExport ? undefined : evalExportWarning(g);
  const warnings = evalWarning ? [evalWarning] : [];

  const trainingModel = buildTrainingModel(model, opset, facts, params, buffers, dataInputs, logits, numClasses, eps);
  const evalModel = buildEvalModel(model, opset, facts, params, buffers, dataInputs, logits, numClasses, eps);
  const inferenceModel = buildInferenceModel(model, opset, facts);
  return {
    trainingModel: trainingModel.model, evalModel: evalModel.model, inferenceModel, params, buffers, dataInputs, logits, numClasses,
    initialValues, unusedParams: trainingModel.unused, warnings, trainingContract: trainingModel.contract,
    evalContract: evalModel.contract,
  };
}

function spec(t: Tensor): TensorSpec {
  return { name: t.name, dims: [...t.dims] };
}

function asFloat32(t: Tensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}

const LABELS = 'labels';

/** The input roles shared by the training and eval graphs (withInputs adds them in this order). */
function inputRoles(params: readonly TensorSpec[], buffers: readonly TensorSpec[], dataInputs: readonly ValueInfo[]): Omit<GraphContract, 'outputs'> {
  return { data: dataInputs.map((v) => v.name), labels: LABELS, params: params.map((p) => p.name), buffers: buffers.map((p) => p.name) };
}

/** A copy of the forward model whose listed initializers became graph inputs. */
function withInputs(model: Model, facts: Facts, names: readonly TensorSpec[], dataInputs: readonly ValueInfo[], withLabels: boolean): { model: Model; graph: Graph } {
  const m = cloneModel(model);
  const g = m.graph;
  for (const p of names) g.initializers.delete(p.name);
  g.inputs = [...dataInputs];
  if (withLabels) {
    if (facts.has(LABELS)) throw new AutodiffError(`the model already has a value named '${LABELS}'; rename it before building training graphs`);
    g.inputs.push({ name: LABELS, dtype: DataType.INT64, shape: [dataInputs[0]?.shape?.[0] ?? 'N'] });
  }
  for (const p of names) g.inputs.push({ name: p.name, dtype: DataType.FLOAT, shape: p.dims });
  if (m.irVersion < 7) m.irVersion = 7;
  return { model: m, graph: g };
}

function buildTrainingModel(model: Model, opset: number, facts: Facts, params: TensorSpec[], buffers: TensorSpec[], dataInputs: readonly ValueInfo[], logits: string, numClasses: number, eps: number): { model: Model; unused: string[]; contract: GraphContract } {
  const { model: m, graph: g } = withInputs(model, facts, [...params, ...buffers], dataInputs, true);
  const f: Facts = new Map(facts);
  f.set(LABELS, { dtype: DataType.INT64, shape: [dataInputs[0]?.shape?.[0] ?? 'N'] });
  const b = new GraphBuilder(g, opset, f);
  const original = g.nodes;
  g.nodes = [];
  const updates = new Map<string, string>();
  let unrolled = false;
  for (const node of original) {
    if (node.opType === 'BatchNormalization') {
      for (const [k, v] of lowerTrainingBatchNorm(b, node).updates) updates.set(k, v);
    } else if (node.opType === 'Dropout') {
      g.nodes.push(trainingDropout(b, node));
    } else if (RECURRENT_OPS.includes(node.opType)) {
      lowerRecurrent(b, node);
      unrolled = true;
    } else {
      g.nodes.push(node);
    }
  }
  const forward = [...g.nodes];
  const { loss, dLogits } = appendCrossEntropy(b, logits, LABELS, numClasses, eps);
  const grads = backward(b, forward, { wrt: params.map((p) => p.name), seeds: new Map([[logits, dLogits]]) });
  const unused: string[] = [];
  const lossName = rename(g, loss, 'loss');
  const outputs: ValueInfo[] = [{ name: lossName, dtype: DataType.FLOAT, shape: [] }];
  const gradNames = params.map((p) => {
    let grad = grads.get(p.name);
    if (!grad) { unused.push(p.name); grad = b.zerosLike(p.name); }
    const name = outputName(b, g, grad, `${p.name}_grad`);
    outputs.push({ name, dtype: DataType.FLOAT, shape: p.dims });
    return name;
  });
  const updateNames = buffers.map((buf) => {
    const u = updates.get(buf.name) ?? b.op('Identity', [buf.name]);
    const name = outputName(b, g, u, `${buf.name}_updated`);
    outputs.push({ name, dtype: DataType.FLOAT, shape: buf.dims });
    return name;
  });
  // The class scores come last, so a trainer can report training accuracy at no extra cost.
  outputs.push({ name: logits, dtype: DataType.FLOAT, shape: b.shape(logits) });
  g.outputs = outputs;
  g.valueInfo = new Map();
  if (unrolled) declareValueShapes(g, b.facts);
  g.name = `${g.name || 'model'}_training`;
  for (const n of g.nodes) delete n.meta;
  const contract: GraphContract = { ...inputRoles(params, buffers, dataInputs), outputs: { loss: lossName, grads: gradNames, bufferUpdates: updateNames, logits } };
  return { model: m, unused, contract };
}

/** Gives a value its public output name: renames it in place, or copies when it is a graph input or already an output. */
function outputName(b: GraphBuilder, g: Graph, value: string, name: string): string {
  if (value === name) return name;
  const isInput = g.inputs.some((v) => v.name === value) || g.initializers.has(value);
  const taken = g.outputs.some((o) => o.name === value) || g.nodes.some((n) => n.outputs.includes(name) || n.inputs.includes(name));
  if (taken) throw new AutodiffError(`the model already has a value named '${name}'; rename it before building training graphs`);
  if (isInput || b.graph.nodes.filter((n) => n.outputs.includes(value)).length === 0) {
    return b.node('Identity', [value], {}, { outputNames: [name] })[0];
  }
  return rename(g, value, name);
}

function rename(g: Graph, from: string, to: string): string {
  if (from === to) return to;
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((i) => (i === from ? to : i));
    n.outputs = n.outputs.map((o) => (o === from ? to : o));
  }
  return to;
}

/** Dropout in training mode, with its mask output (which the backward pass reuses). */
function trainingDropout(b: GraphBuilder, node: Node): Node {
  const ratio = node.inputs[1] || b.scalar(0.5);
  const mask = node.outputs[1] || b.fresh(`${node.name}_mask`);
  const out: Node = { ...node, inputs: [node.inputs[0], ratio, b.initializer('training_mode', DataType.BOOL, [], Uint8Array.of(1))], outputs: [node.outputs[0], mask] };
  b.facts.set(mask, { dtype: DataType.BOOL, shape: b.shape(node.inputs[0]) });
  return out;
}

/** Inference-mode rewrites shared by the eval and inference graphs. */
function inferenceNodes(b: GraphBuilder, nodes: readonly Node[]): void {
  const g = b.graph;
  g.nodes = [];
  for (const node of nodes) {
    if (node.opType === 'BatchNormalization') inferenceBatchNorm(b, node);
    else if (node.opType === 'Dropout') g.nodes.push({ ...node, opType: 'Identity', inputs: [node.inputs[0]], outputs: [node.outputs[0]], attributes: new Map() });
    else if (RECURRENT_OPS.includes(node.opType)) recurrentForRuntime(b, node);
    else g.nodes.push(node);
  }
}

function buildEvalModel(model: Model, opset: number, facts: Facts, params: TensorSpec[], buffers: TensorSpec[], dataInputs: readonly ValueInfo[], logits: string, numClasses: number, eps: number): { model: Model; contract: GraphContract } {
  const { model: m, graph: g } = withInputs(model, facts, [...params, ...buffers], dataInputs, true);
  const f: Facts = new Map(facts);
  f.set(LABELS, { dtype: DataType.INT64, shape: [dataInputs[0]?.shape?.[0] ?? 'N'] });
  const b = new GraphBuilder(g, opset, f);
  inferenceNodes(b, g.nodes);
  const { loss, sampleLosses } = appendCrossEntropy(b, logits, LABELS, numClasses, eps, false);
  const modelOutputs = model.graph.outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: facts.get(o.name)?.shape ?? o.shape }));
  const lossName = rename(g, loss, 'loss');
  const n = dataInputs[0]?.shape?.[0] ?? 'N';
  g.outputs = [{ name: lossName, dtype: DataType.FLOAT, shape: [] }, ...modelOutputs, { name: sampleLosses, dtype: DataType.FLOAT, shape: [n] }];
  g.name = `${g.name || 'model'}_eval`;
  return { model: m, contract: { ...inputRoles(params, buffers, dataInputs), outputs: { loss: lossName, logits, sampleLosses } } };
}

function buildInferenceModel(model: Model, opset: number, facts: Facts): Model {
  const m = cloneModel(model);
  const g = m.graph;
  g.inputs = g.inputs.filter((v) => !g.initializers.has(v.name));
  const b = new GraphBuilder(g, opset, new Map(facts));
  inferenceNodes(b, g.nodes);
  g.outputs = model.graph.outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: facts.get(o.name)?.shape ?? o.shape }));
  return m;
}

/** A copy of the inference model with the given parameter and buffer values baked in. */
export function withValues(inference: Model, values: ReadonlyMap<string, Float32Array>): Model {
  const m = cloneModel(inference);
  for (const [name, data] of values) {
    const t = m.graph.initializers.get(name);
    if (!t) throw new Error(`the inference model has no initializer '${name}'`);
    if (t.data.length !== data.length) throw new Error(`'${name}' has ${data.length} values; the model expects ${t.data.length}`);
    m.graph.initializers.set(name, { ...t, data: Float32Array.from(data) });
  }
  return m;
}
