// The models the ONNX Runtime oracle mutates: the zoo's exports and small fixtures that together
// hold the op types crsam trains (Conv, pooling, BatchNorm, Gemm, MatMul, LayerNorm, attention,
// recurrent ops, Einsum, activations), paths from the repository root.
export const ORACLE_BASES: readonly string[] = [
  'models/lenet5.onnx',
  'test/fixtures/torch/acts/model.onnx',
  'test/fixtures/torch/resnet/model.onnx',
  'test/fixtures/torch/vit/model.onnx',
  'test/fixtures/torch/rnn/lstm-o17/model.onnx',
  'test/fixtures/torch/rnn/gru-bi-o15/model.onnx',
  'test/fixtures/torch/rnn/einsum-o17/model.onnx',
  'test/fixtures/sweep/small_convnext_op17/model.onnx',
  'test/fixtures/sweep/text_conv1d_op17/model.onnx',
  'test/fixtures/interop/fixed_batch.onnx',
  'test/fixtures/interop/opset18.onnx',
];
