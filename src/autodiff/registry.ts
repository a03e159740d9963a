// One gradient rule per op type. An object literal, so a duplicate key does not compile; ops
// whose outputs carry no gradient are marked NO_GRADIENT explicitly.
import { NO_GRADIENT, RuleEntry } from './types';
import { RECURRENT_OPS } from './lowering/recurrent';
import { abs } from './rules/abs';
import { add } from './rules/add';
import { averagePool } from './rules/average-pool';
import { batchNormalization } from './rules/batch-normalization';
import { cast } from './rules/cast';
import { clip } from './rules/clip';
import { concat } from './rules/concat';
import { conv } from './rules/conv';
import { convTranspose } from './rules/conv-transpose';
import { cumSum } from './rules/cum-sum';
import { div } from './rules/div';
import { dropout } from './rules/dropout';
import { einsum } from './rules/einsum';
import { eluFamily } from './rules/elu';
import { erf } from './rules/erf';
import { exp } from './rules/exp';
import { expand } from './rules/expand';
import { reshapeBack } from './rules/reshape-back';
import { gather } from './rules/gather';
import { gatherElements } from './rules/gather-elements';
import { gelu } from './rules/gelu';
import { gemm } from './rules/gemm';
import { globalAveragePool } from './rules/global-average-pool';
import { groupNormalization } from './rules/group-normalization';
import { hardSigmoid } from './rules/hard-sigmoid';
import { hardSwish } from './rules/hard-swish';
import { identity } from './rules/identity';
import { instanceNormalization } from './rules/instance-normalization';
import { layerNormalization } from './rules/layer-normalization';
import { leakyRelu } from './rules/leaky-relu';
import { log } from './rules/log';
import { logSoftmax } from './rules/log-softmax';
import { matmul } from './rules/matmul';
import { maxOrMin } from './rules/max';
import { maxPool } from './rules/max-pool';
import { mean } from './rules/mean';
import { mish } from './rules/mish';
import { mul } from './rules/mul';
import { neg } from './rules/neg';
import { pad } from './rules/pad';
import { pow } from './rules/pow';
import { prelu } from './rules/prelu';
import { reciprocal } from './rules/reciprocal';
import { reduceL1 } from './rules/reduce-l1';
import { reduceL2 } from './rules/reduce-l2';
import { reduceLogSumExp } from './rules/reduce-log-sum-exp';
import { reduceMaxOrMin } from './rules/reduce-max';
import { reduceMean } from './rules/reduce-mean';
import { reduceProd } from './rules/reduce-prod';
import { reduceSum } from './rules/reduce-sum';
import { reduceSumSquare } from './rules/reduce-sum-square';
import { resize } from './rules/resize';
import { scatterElements } from './rules/scatter-elements';
import { scatterNd } from './rules/scatter-nd';
import { relu } from './rules/relu';
import { sigmoid } from './rules/sigmoid';
import { sinOrCos } from './rules/sin';
import { slice } from './rules/slice';
import { softmax } from './rules/softmax';
import { softplus } from './rules/softplus';
import { softsign } from './rules/softsign';
import { split } from './rules/split';
import { sqrt } from './rules/sqrt';
import { squeeze, unsqueeze } from './rules/squeeze';
import { sub } from './rules/sub';
import { sum } from './rules/sum';
import { tanh } from './rules/tanh';
import { thresholdedRelu } from './rules/thresholded-relu';
import { tile } from './rules/tile';
import { topK } from './rules/top-k';
import { transpose } from './rules/transpose';
import { where } from './rules/where';

export const GRADIENT_RULES: Readonly<Record<string, RuleEntry>> = {
  Abs: abs,
  Add: add,
  AveragePool: averagePool,
  BatchNormalization: batchNormalization,
  Cast: cast,
  CastLike: cast,
  Celu: eluFamily,
  Clip: clip,
  Concat: concat,
  Conv: conv,
  ConvTranspose: convTranspose,
  Cos: sinOrCos,
  CumSum: cumSum,
  Div: div,
  Dropout: dropout,
  Einsum: einsum,
  Elu: eluFamily,
  Erf: erf,
  Exp: exp,
  Expand: expand,
  Flatten: reshapeBack,
  Gather: gather,
  GatherElements: gatherElements,
  Gelu: gelu,
  Gemm: gemm,
  GlobalAveragePool: globalAveragePool,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Identity: identity,
  LayerNormalization: layerNormalization,
  InstanceNormalization: instanceNormalization,
  GroupNormalization: groupNormalization,
  LeakyRelu: leakyRelu,
  Log: log,
  LogSoftmax: logSoftmax,
  MatMul: matmul,
  Max: maxOrMin,
  MaxPool: maxPool,
  Mean: mean,
  Min: maxOrMin,
  Mish: mish,
  Mul: mul,
  Neg: neg,
  Pad: pad,
  Pow: pow,
  PRelu: prelu,
  Reciprocal: reciprocal,
  ReduceL1: reduceL1,
  ReduceL2: reduceL2,
  ReduceLogSumExp: reduceLogSumExp,
  ReduceMax: reduceMaxOrMin,
  ReduceMean: reduceMean,
  ReduceMin: reduceMaxOrMin,
  ReduceProd: reduceProd,
  ReduceSum: reduceSum,
  ReduceSumSquare: reduceSumSquare,
  Relu: relu,
  Reshape: reshapeBack,
  Resize: resize,
  ScatterElements: scatterElements,
  ScatterND: scatterNd,
  Selu: eluFamily,
  Sigmoid: sigmoid,
  Sin: sinOrCos,
  Slice: slice,
  Softmax: softmax,
  Softplus: softplus,
  Softsign: softsign,
  Split: split,
  Sqrt: sqrt,
  Squeeze: squeeze,
  Sub: sub,
  Sum: sum,
  Tanh: tanh,
  ThresholdedRelu: thresholdedRelu,
  Tile: tile,
  TopK: topK,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
  Where: where,
  // Shape computations, comparisons and integer ops: no gradient flows through them.
  And: NO_GRADIENT,
  ArgMax: NO_GRADIENT,
  ArgMin: NO_GRADIENT,
  Ceil: NO_GRADIENT,
  Constant: NO_GRADIENT,
  ConstantOfShape: NO_GRADIENT,
  Equal: NO_GRADIENT,
  EyeLike: NO_GRADIENT,
  Floor: NO_GRADIENT,
  Greater: NO_GRADIENT,
  GreaterOrEqual: NO_GRADIENT,
  IsInf: NO_GRADIENT,
  IsNaN: NO_GRADIENT,
  Less: NO_GRADIENT,
  LessOrEqual: NO_GRADIENT,
  NonZero: NO_GRADIENT,
  Not: NO_GRADIENT,
  OneHot: NO_GRADIENT,
  Or: NO_GRADIENT,
  RandomNormalLike: NO_GRADIENT,
  RandomUniformLike: NO_GRADIENT,
  Range: NO_GRADIENT,
  Round: NO_GRADIENT,
  Shape: NO_GRADIENT,
  Sign: NO_GRADIENT,
  Size: NO_GRADIENT,
  Xor: NO_GRADIENT,
};

/** Op types we can differentiate (recurrent ones after lowering) or know to carry no gradient, sorted, for error messages. */
export function supportedOps(): string[] {
  return [...Object.keys(GRADIENT_RULES), ...RECURRENT_OPS].sort();
}
