// Every op we can infer, keyed by op type (default ONNX domain).
import { ShapeRule } from '../shape-inference';
import { binary, boolUnary, cast, compare, passThrough, unary, variadic, where } from './elementwise';
import { argReduce, reduce } from './reduce';
import { batchNorm, conv, convTranspose, dropout, gemm, globalPool, layerNorm, lossRule, matMul, pool } from './nn';
import * as t from './tensor';
import { einsum } from './einsum';
import { gru, lstm, rnn } from './recurrent';
import { resize, topK } from './select';

export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = {
  Abs: unary, Ceil: unary, Cos: unary, Elu: unary, Erf: unary, Exp: unary, Floor: unary, Gelu: unary,
  HardSigmoid: unary, HardSwish: unary, LeakyRelu: unary, Log: unary, LogSoftmax: unary, Neg: unary,
  Reciprocal: unary, Relu: unary, Round: unary, Selu: unary, Sigmoid: unary, Sign: unary, Sin: unary,
  Softmax: unary, Softplus: unary, Sqrt: unary, Tanh: unary, Clip: unary, PRelu: binary,
  Identity: passThrough,
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary, Mod: binary,
  Max: variadic, Min: variadic, Sum: variadic, Mean: variadic,
  Equal: compare, Greater: compare, Less: compare, GreaterOrEqual: compare, LessOrEqual: compare,
  And: compare, Or: compare, Xor: compare,
  Not: boolUnary, IsNaN: boolUnary, IsInf: boolUnary,
  Where: where, Cast: cast, CastLike: cast,
  ReduceMean: reduce, ReduceSum: reduce, ReduceMax: reduce, ReduceMin: reduce, ReduceProd: reduce,
  ReduceSumSquare: reduce, ReduceL2: reduce, ReduceLogSumExp: reduce,
  ArgMax: argReduce, ArgMin: argReduce,
  Conv: conv, ConvTranspose: convTranspose, MaxPool: pool, AveragePool: pool,
  GlobalAveragePool: globalPool, GlobalMaxPool: globalPool,
  BatchNormalization: batchNorm, LayerNormalization: layerNorm,
  InstanceNormalization: unary, GroupNormalization: unary,
  MatMul: matMul, Gemm: gemm, Dropout: dropout,
  Einsum: einsum,
  LSTM: lstm, GRU: gru, RNN: rnn,
  SoftmaxCrossEntropyLoss: lossRule, NegativeLogLikelihoodLoss: lossRule,
  Reshape: t.reshape, Flatten: t.flatten, Transpose: t.transpose, Concat: t.concat, Slice: t.slice,
  Gather: t.gather, GatherElements: t.gatherElements, Squeeze: t.squeeze, Unsqueeze: t.unsqueeze,
  Expand: t.expand, Shape: t.shapeOp, Size: t.size, Constant: t.constant,
  ConstantOfShape: t.constantOfShape, Range: t.range, Pad: t.pad, Tile: t.tile, Split: t.split,
  OneHot: t.oneHot, ScatterElements: t.scatter, ScatterND: t.scatter,
  NonZero: t.nonZero, EyeLike: t.like, RandomNormalLike: t.like, RandomUniformLike: t.like,
  Celu: unary, Mish: unary, Softsign: unary, ThresholdedRelu: unary, CumSum: unary, ReduceL1: reduce,
  Resize: resize, TopK: topK,
};
