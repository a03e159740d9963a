// The small models for MNIST-sized data: a multilayer perceptron and LeNet-5, all layers in
// PyTorch's default initialization (kaiming_uniform a=√5 weights, uniform(±1/√fan_in) biases).
import { Model } from '../onnx/ir';
import { Net, LOGITS_NAME } from './net';
import { CommonModelOptions, positiveInt, resolveCommon } from './options';
import { OptionError } from '../core/option-error';
import { attr } from '../onnx/attr';

export interface MlpOptions extends CommonModelOptions {
  /** Widths of the hidden layers, each followed by ReLU. Default [256, 256] (784-256-256-10 on 28×28×1). */
  readonly hidden?: readonly number[];
}

export type LeNetOptions = CommonModelOptions;

/** Flatten → (Linear → ReLU)* → Linear; layers named fc1, fc2, ... */
export function mlp(options: MlpOptions = {}): Model {
  const hidden = [...(options.hidden ?? [256, 256])];
  hidden.forEach((h, i) => positiveInt(`hidden[${i}]`, h));
  const common = resolveCommon(options, { inputSize: 28, channels: 1, numClasses: 10 });
  const inputs = common.channels * common.inputSize * common.inputSize;
  const net = new Net(common, {
    family: 'mlp',
    name: 'mlp',
    description: `MLP ${[inputs, ...hidden, common.numClasses].join('-')} with ReLU`,
    options: { hidden, ...common },
  });
  let x = net.b.op('Flatten', [net.input], { axis: attr.int(1) }, 'flat');
  hidden.forEach((h, i) => { x = net.relu(net.linear(x, `fc${i + 1}`, h)); });
  return net.finish(net.linear(x, `fc${hidden.length + 1}`, common.numClasses, { output: LOGITS_NAME }));
}

/**
 * LeNet-5 in its common modern form: conv 5×5 (6) → ReLU → max-pool 2 → conv 5×5 (16) → ReLU →
 * max-pool 2 → 120 → 84 → classes with ReLU. The first conv pads by 2, so a 28×28 digit sees the
 * 32×32 field of the original and the classic 16·5·5 = 400 features reach fc1.
 */
export function lenet5(options: LeNetOptions = {}): Model {
  const common = resolveCommon(options, { inputSize: 28, channels: 1, numClasses: 10 });
  if (common.inputSize < 12) throw new OptionError(`LeNet-5 needs inputs of at least 12×12, got ${common.inputSize}×${common.inputSize}`);
  const net = new Net(common, { family: 'lenet5', name: 'lenet5', description: 'LeNet-5 (ReLU, max-pool)', options: { ...common } });
  let x = net.maxPool(net.relu(net.conv(net.input, 'conv1', 6, 5, { pad: 2, bias: true, init: 'torch-default' })), 2, 2);
  x = net.maxPool(net.relu(net.conv(x, 'conv2', 16, 5, { bias: true, init: 'torch-default' })), 2, 2);
  x = net.b.op('Flatten', [x], { axis: attr.int(1) }, 'flat');
  x = net.relu(net.linear(x, 'fc1', 120));
  x = net.relu(net.linear(x, 'fc2', 84));
  return net.finish(net.linear(x, 'fc3', common.numClasses, { output: LOGITS_NAME }));
}
