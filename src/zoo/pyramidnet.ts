// PyramidNet (Han, Kim & Kim 2017) for CIFAR, as the authors' PyTorch release
// (dyhan0920/PyramidNet-PyTorch) defines it with basic blocks (bottleneck=False, as for depth 110):
// the width grows by α/(3n) per block; each block is BN-conv-BN-ReLU-conv-BN; the shortcut is the
// identity, average-pooled 2×2 where the block strides, and zero-padded on the channel axis up to
// the block's width (Concat with zeros). Names follow that release's state_dict (conv1, bn1, layerS.B.{bn1,conv1,bn2,conv2,bn3}, bn_final, fc).
//
// Initialization: convs kaiming-normal fan_out (the release draws N(0, √(2/(k²·out)))), BatchNorm 1/0,
// fc PyTorch's Linear default (the release zeroes the fc bias; the zoo keeps one Linear convention).
import { Model } from '../onnx/ir';
import { Net, LOGITS_NAME } from './net';
import { CommonModelOptions, resolveCommon } from './options';
import { OptionError } from '../core/option-error';
import { attr } from '../onnx/attr';

export interface PyramidNetOptions extends CommonModelOptions {
  /** Depth 6n+2 with basic blocks: n blocks per stage. Default 110. */
  readonly depth?: number;
  /** Total width increase α over the 3n blocks. Default 270. */
  readonly alpha?: number;
}

/** Python 3's round(): ties go to the even neighbour. The widths must match the release's int(round(·)). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The (input, output) width of every block, replaying the release's floating-point accumulation
 * (featuremap_dim += addrate) so rounding lands on the same integers.
 */
export function pyramidWidths(depth: number, alpha: number): { inputs: number[]; outputs: number[] } {
  const n = (depth - 2) / 6;
  const addrate = alpha / (3 * n * 1.0);
  let inputDim = 16;
  let featuremapDim = 16;
  const inputs: number[] = [];
  const outputs: number[] = [];
  for (let stage = 0; stage < 3; stage++) {
    featuremapDim = featuremapDim + addrate;
    inputs.push(inputDim);
    outputs.push(roundHalfEven(featuremapDim));
    for (let i = 1; i < n; i++) {
      const temp = featuremapDim + addrate;
      inputs.push(roundHalfEven(featuremapDim));
      outputs.push(roundHalfEven(temp));
      featuremapDim = temp;
    }
    inputDim = roundHalfEven(featuremapDim);
  }
  return { inputs, outputs };
}

function block(net: Net, x: string, name: string, out: number, stride: number): string {
  let h = net.batchNorm(x, `${name}.bn1`);
  h = net.relu(net.batchNorm(net.conv(h, `${name}.conv1`, out, 3, { stride, pad: 1 }), `${name}.bn2`));
  h = net.batchNorm(net.conv(h, `${name}.conv2`, out, 3, { pad: 1 }), `${name}.bn3`);
  let skip = x;
  // nn.AvgPool2d((2,2), stride=(2,2), ceil_mode=True); without padding, ONNX's default
  // count_include_pad=0 divides a clipped window by its valid size exactly as PyTorch does.
  if (stride !== 1) skip = net.b.op('AveragePool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }, `${name}.downsample`);
  const extra = out - net.channels(skip);
  if (extra > 0) {
    // As the release: concatenate zeros [N, extra, H, W] on the channel axis. (A Pad on the channel
    // axis would do the same, but our shape inference then loses the symbolic batch dim.)
    const b = net.b;
    const size = net.spatial(skip);
    const zerosShape = b.op('Concat', [b.op('Shape', [skip], { start: attr.int(0), end: attr.int(1) }), b.ints([extra, size, size])], { axis: attr.int(0) });
    skip = b.op('Concat', [skip, b.op('ConstantOfShape', [zerosShape])], { axis: attr.int(1) }, `${name}.shortcut`);
  }
  return net.add(h, skip);
}

export function pyramidNet(options: PyramidNetOptions = {}): Model {
  const depth = options.depth ?? 110;
  const alpha = options.alpha ?? 270;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) throw new OptionError(`the PyramidNet depth must be 6n+2 (20, 110...), got ${depth}`);
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new OptionError(`PyramidNet alpha must be a non-negative number, got ${alpha}`);
  const n = (depth - 2) / 6;
  const common = resolveCommon(options, { inputSize: 32, channels: 3, numClasses: 10 });
  const net = new Net(common, {
    family: 'pyramidnet',
    name: `pyramidnet-${depth}-${alpha}`,
    description: `PyramidNet-${depth} (α=${alpha}, basic blocks, zero-padded identity shortcuts)`,
    options: { depth, alpha, ...common },
  });
  const widths = pyramidWidths(depth, alpha);
  let x = net.batchNorm(net.conv(net.input, 'conv1', 16, 3, { pad: 1 }), 'bn1');
  for (let k = 0; k < 3 * n; k++) {
    const stage = Math.floor(k / n);
    const i = k % n;
    if (net.channels(x) !== widths.inputs[k]) throw new Error('internal: PyramidNet widths disagree');
    x = block(net, x, `layer${stage + 1}.${i}`, widths.outputs[k], i === 0 && stage > 0 ? 2 : 1);
  }
  x = net.relu(net.batchNorm(x, 'bn_final'));
  // The release pools with AvgPool2d(8), which is the global average at 32×32; the global pool
  // keeps other input sizes working.
  return net.finish(net.linear(net.globalPool(x), 'fc', common.numClasses, { output: LOGITS_NAME }));
}
