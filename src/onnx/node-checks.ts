// Per-node checks ONNX Runtime makes when it loads a model (its schema's required attributes, type
// constraints and attribute ranges), made before a node's shape rule so that a model it would
// refuse is refused at the user's node, naming the attribute, instead of training something
// meaningless or failing later in a graph of ours. Each class here was found by the ONNX Runtime
// oracle (test/fuzz/ort-oracle.ts) and is tested against ONNX Runtime.
import { DataType, dtypeName } from './dtype';
import { attrInt, attrInts, Node } from './ir';
import type { InferContext } from './shape-inference';

/** Attributes the ONNX schema requires (ONNX Runtime refuses a node without them). */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  Concat: ['axis'], Cast: ['to'], MaxPool: ['kernel_shape'], AveragePool: ['kernel_shape'], Einsum: ['equation'],
  LSTM: ['hidden_size'], GRU: ['hidden_size'], RNN: ['hidden_size'], GroupNormalization: ['num_groups'],
  DepthToSpace: ['blocksize'], SpaceToDepth: ['blocksize'], LRN: ['size'],
};

const FLOATS: readonly DataType[] = [DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16];
const INDICES: readonly DataType[] = [DataType.INT32, DataType.INT64];
const INT64: readonly DataType[] = [DataType.INT64];

/**
 * Type constraints: `same` lists input positions that share one type T ('all': every input),
 * `float` whether T must be a floating type, `typed` the types allowed at other positions.
 */
interface TypeRule { readonly same?: readonly number[] | 'all'; readonly float?: true; readonly typed?: Readonly<Record<number, readonly DataType[]>> }
const FLOAT_OP: TypeRule = { same: 'all', float: true };
const TYPES: Readonly<Record<string, TypeRule>> = {
  Conv: FLOAT_OP, ConvTranspose: FLOAT_OP, InstanceNormalization: FLOAT_OP, GroupNormalization: FLOAT_OP,
  LayerNormalization: FLOAT_OP, AveragePool: FLOAT_OP, GlobalAveragePool: FLOAT_OP, GlobalMaxPool: FLOAT_OP,
  // Opset 15 lets scale, bias and the statistics have their own types: only X is constrained.
  BatchNormalization: { same: [0], float: true, typed: { 1: FLOATS, 2: FLOATS, 3: FLOATS, 4: FLOATS } },
  LSTM: { same: [0, 1, 2, 3, 5, 6, 7], float: true }, GRU: { same: [0, 1, 2, 3, 5], float: true }, RNN: { same: [0, 1, 2, 3, 5], float: true },
  Softmax: FLOAT_OP, LogSoftmax: FLOAT_OP, Sigmoid: FLOAT_OP, Tanh: FLOAT_OP, Exp: FLOAT_OP, Log: FLOAT_OP, Sqrt: FLOAT_OP,
  Erf: FLOAT_OP, Gelu: FLOAT_OP, Elu: FLOAT_OP, Selu: FLOAT_OP, Softplus: FLOAT_OP, HardSigmoid: FLOAT_OP, HardSwish: FLOAT_OP,
  Mish: FLOAT_OP, Celu: FLOAT_OP, Softsign: FLOAT_OP, Reciprocal: FLOAT_OP,
  MatMul: { same: 'all' }, Gemm: { same: 'all' }, Einsum: { same: 'all' }, PRelu: { same: 'all' },
  Add: { same: 'all' }, Sub: { same: 'all' }, Mul: { same: 'all' }, Div: { same: 'all' },
  Max: { same: 'all' }, Min: { same: 'all' }, Sum: { same: 'all' }, Mean: { same: 'all' }, Concat: { same: 'all' },
  Equal: { same: 'all' }, Less: { same: 'all' }, Greater: { same: 'all' }, LessOrEqual: { same: 'all' }, GreaterOrEqual: { same: 'all' },
  Where: { same: [1, 2], typed: { 0: [DataType.BOOL] } },
  Gather: { typed: { 1: INDICES } }, GatherElements: { typed: { 1: INDICES } },
  Reshape: { typed: { 1: INT64 } }, Expand: { typed: { 1: INT64 } }, Tile: { typed: { 1: INT64 } }, ConstantOfShape: { typed: { 0: INT64 } },
  Pad: { typed: { 1: INT64, 3: INDICES } }, Split: { typed: { 1: INT64 } }, Squeeze: { typed: { 1: INT64 } }, Unsqueeze: { typed: { 1: INT64 } },
  Slice: { typed: { 1: INDICES, 2: INDICES, 3: INDICES, 4: INDICES } },
};

/** Ops whose data input may not be bool (no ONNX Runtime kernel computes arithmetic on bool). */
const NO_BOOL = new Set(['MatMul', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'MaxPool', 'Neg', 'Abs', 'ReduceMean', 'ReduceSum']);

const RESIZE_STRINGS: Readonly<Record<string, readonly string[]>> = {
  mode: ['nearest', 'linear', 'cubic'],
  nearest_mode: ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'],
  coordinate_transformation_mode: ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'],
};

/** Refuses the node (ctx.fail) where ONNX Runtime would refuse it, whatever the shapes. */
export function checkNode(ctx: InferContext): void {
  const node = ctx.node;
  for (const a of REQUIRED[node.opType] ?? []) if (!node.attributes.has(a)) ctx.refuse(`the required attribute ${a} is missing`);
  checkTypes(ctx);
  checkAttributes(ctx, node);
}

function checkTypes(ctx: InferContext): void {
  const node = ctx.node;
  const rule = TYPES[node.opType];
  const present = (i: number) => (node.inputs[i] ? ctx.input(i) : undefined);
  if (NO_BOOL.has(node.opType) && present(0)?.dtype === DataType.BOOL) ctx.refuse('its input 0 is BOOL, which it cannot compute on; export the model with float tensors there');
  if (!rule) return;
  const same = rule.same === 'all' ? node.inputs.map((_, i) => i) : rule.same ?? [];
  let t: DataType | undefined;
  let first = -1;
  for (const i of same) {
    const f = present(i);
    if (!f) continue;
    if (t === undefined) { t = f.dtype; first = i; continue; }
    if (f.dtype !== t) ctx.refuse(`input ${i} ('${node.inputs[i]}') is ${dtypeName(f.dtype)} but input ${first} ('${node.inputs[first]}') is ${dtypeName(t)}; they must have one element type`);
  }
  if (rule.float && t !== undefined && !FLOATS.includes(t)) ctx.refuse(`input ${first} ('${node.inputs[first]}') is ${dtypeName(t)}, but ${node.opType} takes a floating-point type`);
  for (const [k, allowed] of Object.entries(rule.typed ?? {})) {
    const f = present(Number(k));
    if (f && !allowed.includes(f.dtype)) ctx.refuse(`input ${k} ('${node.inputs[Number(k)]}') is ${dtypeName(f.dtype)}; it must be ${allowed.map(dtypeName).join(' or ')}`);
  }
}

/** Flags the schema defines as 0 or 1; other values are read differently by different code (ONNX Runtime: any nonzero). */
const FLAGS = ['keepdims', 'allowzero', 'noop_with_empty_axes', 'select_last_index'];

function checkAttributes(ctx: InferContext, node: Node): void {
  const fail = (name: string, why: string) => ctx.refuse(`its attribute ${name} ${why}`);
  for (const name of FLAGS) {
    const v = attrInt(node, name);
    if (v !== undefined && v !== 0 && v !== 1) fail(name, `must be 0 or 1, got ${v}`);
  }
  switch (node.opType) {
    case 'Cast': {
      const to = attrInt(node, 'to');
      if (to !== undefined && !(to in DataType && to !== 0)) fail('to', `(${to}) is not an ONNX element type`);
      break;
    }
    case 'Split': {
      const n = attrInt(node, 'num_outputs');
      if (n !== undefined && n !== node.outputs.length) fail('num_outputs', `(${n}) must equal the node's ${node.outputs.length} outputs`);
      if (ctx.opset >= 18 && n === undefined && !node.inputs[1] && !node.attributes.has('split')) fail('num_outputs', 'is missing and no split sizes are given');
      break;
    }
    case 'BatchNormalization': {
      const training = attrInt(node, 'training_mode', 0) !== 0;
      const outs = node.outputs.filter(Boolean).length;
      if (ctx.opset >= 14 && !training && outs > 1) fail('training_mode', `is 0 (inference), but the node has ${outs} outputs: inference BatchNormalization has one`);
      break;
    }
    case 'Resize':
      for (const [name, allowed] of Object.entries(RESIZE_STRINGS)) {
        const a = node.attributes.get(name);
        if (a?.type === 'string' && !allowed.includes(a.value)) fail(name, `('${a.value}') must be one of ${allowed.join(', ')}`);
      }
      break;
    case 'Conv': case 'ConvTranspose': case 'MaxPool': case 'AveragePool': {
      const x = ctx.input(0)?.shape;
      const spatial = x ? x.length - 2 : undefined;
      for (const [name, per, min] of [['kernel_shape', 1, 1], ['strides', 1, 1], ['dilations', 1, 1], ['pads', 2, 0]] as const) {
        const v = attrInts(node, name);
        if (!v) continue;
        if (spatial !== undefined && v.length !== per * spatial) fail(name, `has ${v.length} values, but the input has ${spatial} spatial dims (expected ${per * spatial})`);
        if (v.some((d) => !(Number.isInteger(d) && d >= min))) fail(name, `must hold whole numbers of at least ${min}, got [${v.join(', ')}]`);
      }
      const kernel = attrInts(node, 'kernel_shape');
      const w = ctx.input(1)?.shape;
      if (kernel && (node.opType === 'Conv' || node.opType === 'ConvTranspose') && w && w.length === kernel.length + 2 && kernel.some((k, i) => typeof w[i + 2] === 'number' && w[i + 2] !== k)) {
        fail('kernel_shape', `[${kernel.join(', ')}] does not match the weights' spatial sizes [${w.slice(2).join(', ')}]`);
      }
      const pads = attrInts(node, 'pads');
      // A pooling window cannot start past the padding: ONNX Runtime wants every pad below the kernel.
      if (kernel && pads && (node.opType === 'MaxPool' || node.opType === 'AveragePool') && pads.some((p, i) => p >= kernel[i % kernel.length])) {
        fail('pads', `[${pads.join(', ')}] must each be smaller than the kernel [${kernel.join(', ')}]`);
      }
      break;
    }
    default:
  }
}
