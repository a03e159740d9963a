// One gradient rule per op type. An object literal, so a duplicate key does not compile; ops
// whose outputs carry no gradient are marked NO_GRADIENT explicitly.
import { NO_GRADIENT, RuleEntry } from './types';
import { abs } from './rules/abs';
import { add } from './rules/add';
import { batchNormalization } from './rules/batch-normalization';
import { cast } from './rules/cast';
import { clip } from './rules/clip';
import { conv } from './rules/conv';
import { div } from './rules/div';
import { dropout } from './rules/dropout';
import { erf } from './rules/erf';
import { exp } from './rules/exp';
import { reshapeBack } from './rules/flatten';
import { gelu } from './rules/gelu';
import { gemm } from './rules/gemm';
import { globalAveragePool } from './rules/global-average-pool';
import { identity } from './rules/identity';
import { layerNormalization } from './rules/layer-normalization';
import { leakyRelu } from './rules/leaky-relu';
import { log } from './rules/log';
import { logSoftmax } from './rules/log-softmax';
import { matmul } from './rules/matmul';
import { maxOrMin } from './rules/max';
import { mul } from './rules/mul';
import { neg } from './rules/neg';
import { pow } from './rules/pow';
import { reciprocal } from './rules/reciprocal';
import { reduceMaxOrMin } from './rules/reduce-max';
import { reduceMean } from './rules/reduce-mean';
import { reduceSum } from './rules/reduce-sum';
import { relu } from './rules/relu';
import { sigmoid } from './rules/sigmoid';
import { softmax } from './rules/softmax';
import { sqrt } from './rules/sqrt';
import { sub } from './rules/sub';
import { sum } from './rules/sum';
import { tanh } from './rules/tanh';
import { where } from './rules/where';

export const GRADIENT_RULES: Readonly<Record<string, RuleEntry>> = {
  Abs: abs,
  Add: add,
  BatchNormalization: batchNormalization,
  Cast: cast,
  CastLike: cast,
  Clip: clip,
  Conv: conv,
  Div: div,
  Dropout: dropout,
  Flatten: reshapeBack,
  Gemm: gemm,
  GlobalAveragePool: globalAveragePool,
  Identity: identity,
  MatMul: matmul,
  Mul: mul,
  Neg: neg,
  Relu: relu,
  Reshape: reshapeBack,
  Sub: sub,
  // Shape computations, comparisons and integer ops: no gradient flows through them.
  And: NO_GRADIENT,
  ArgMax: NO_GRADIENT,
  ArgMin: NO_GRADIENT,
  Constant: NO_GRADIENT,
  ConstantOfShape: NO_GRADIENT,
  Equal: NO_GRADIENT,
  Greater: NO_GRADIENT,
  GreaterOrEqual: NO_GRADIENT,
  IsInf: NO_GRADIENT,
  IsNaN: NO_GRADIENT,
  Less: NO_GRADIENT,
  LessOrEqual: NO_GRADIENT,
  Not: NO_GRADIENT,
  OneHot: NO_GRADIENT,
  Or: NO_GRADIENT,
  Range: NO_GRADIENT,
  Shape: NO_GRADIENT,
  Size: NO_GRADIENT,
  Xor: NO_GRADIENT,
};

/** Op types we can differentiate or know to carry no gradient, sorted, for error messages. */
export function supportedOps(): string[] {
  return Object.keys(GRADIENT_RULES).sort();
}
