// Wide residual networks WRN-d-k (Zagoruyko & Komodakis 2016), as the widely used PyTorch port
// (xternalz/WideResNet-pytorch) defines them: pre-activation basic blocks (BN-ReLU-conv ×2),
// widths 16, 16k, 32k, 64k, a 1×1 conv shortcut where the width changes, and BN-ReLU before the
// pool. Names follow that port's state_dict (conv1, blockS.layer.B.{bn1,conv1,bn2,conv2,convShortcut}, bn1, fc).
//
// Initialization: convs kaiming-normal fan_out (as the port and torchvision), BatchNorm 1/0, and
// fc PyTorch's Linear default (the port zeroes the fc bias; the zoo keeps one Linear convention).
import { Model } from '../onnx/ir';
import { Net, LOGITS_NAME } from './net';
import { CommonModelOptions, resolveCommon } from './options';
import { OptionError } from '../core/option-error';

export interface WideResNetOptions extends CommonModelOptions {
  /** Depth d = 6n+4: n blocks per stage. Default 28. */
  readonly depth?: number;
  /** Widening factor k. Default 10. */
  readonly widen?: number;
  /** Dropout probability between the two convs of each block (training only). Default 0 (no Dropout node). */
  readonly dropout?: number;
}

function block(net: Net, x: string, name: string, out: number, stride: number, dropout: number): string {
  const equalInOut = net.channels(x) === out;
  // The port applies the first BN-ReLU to the block input; where the width changes, the
  // shortcut conv also reads that activated input instead of the raw one.
  const act = net.relu(net.batchNorm(x, `${name}.bn1`));
  let h = net.relu(net.batchNorm(net.conv(act, `${name}.conv1`, out, 3, { stride, pad: 1 }), `${name}.bn2`));
  if (dropout > 0) h = net.b.op('Dropout', [h, net.b.scalar(dropout)]);
  h = net.conv(h, `${name}.conv2`, out, 3, { pad: 1 });
  if (equalInOut && stride !== 1) throw new Error('internal: a strided block must change the width');
  const skip = equalInOut ? x : net.conv(act, `${name}.convShortcut`, out, 1, { stride });
  return net.add(skip, h);
}

export function wideResNet(options: WideResNetOptions = {}): Model {
  const depth = options.depth ?? 28;
  const widen = options.widen ?? 10;
  const dropout = options.dropout ?? 0;
  if (!Number.isInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) throw new OptionError(`the WideResNet depth must be 6n+4 (10, 16, 28, 40...), got ${depth}`);
  if (!Number.isInteger(widen) || widen < 1) throw new OptionError(`the WideResNet widening factor must be a positive integer, got ${widen}`);
  if (!(dropout >= 0 && dropout < 1)) throw new OptionError(`dropout must be in [0, 1), got ${dropout}`);
  const n = (depth - 4) / 6;
  const common = resolveCommon(options, { inputSize: 32, channels: 3, numClasses: 10 });
  const net = new Net(common, {
    family: 'wide-resnet',
    name: `wrn-${depth}-${widen}`,
    description: `WideResNet-${depth}-${widen} (pre-activation basic blocks, widths 16-${16 * widen}-${32 * widen}-${64 * widen}, dropout ${dropout})`,
    options: { depth, widen, dropout, ...common },
  });
  let x = net.conv(net.input, 'conv1', 16, 3, { pad: 1 });
  [16 * widen, 32 * widen, 64 * widen].forEach((out, stage) => {
    for (let i = 0; i < n; i++) x = block(net, x, `block${stage + 1}.layer.${i}`, out, i === 0 && stage > 0 ? 2 : 1, dropout);
  });
  x = net.relu(net.batchNorm(x, 'bn1'));
  return net.finish(net.linear(net.globalPool(x), 'fc', common.numClasses, { output: LOGITS_NAME }));
}
