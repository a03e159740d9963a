// Residual networks: torchvision's ResNet-18/34/50/101 (in the ImageNet layout, and in the CIFAR
// layout of the SAM/CR-SAM papers: 3×3 stride-1 stem and no max-pool), and the CIFAR family of
// He et al. 2016 (ResNet-20/32/56, 16-32-64 widths). Names follow torchvision's state_dict
// (conv1, bn1, layerL.B.convK, layerL.B.downsample.{0,1}, fc) for both.
//
// Initialization as torchvision's ResNet: convs kaiming_normal_(mode='fan_out', nonlinearity='relu'),
// BatchNorm weight 1 and bias 0 (zero_init_residual=False), fc PyTorch's Linear default. The CIFAR
// family uses the same (some popular PyTorch ports draw from fan-in instead; the zoo keeps one
// convention).
import { Model } from '../onnx/ir';
import { Net, LOGITS_NAME } from './net';
import { CommonModelOptions, positiveInt, resolveCommon } from './options';
import { OptionError } from '../core/option-error';

export type ResNetDepth = 18 | 34 | 50 | 101;

export interface ResNetOptions extends CommonModelOptions {
  /** Depth: 18 and 34 use basic blocks, 50 and 101 bottleneck blocks (v1.5: stride on the 3×3 conv). Default 18. */
  readonly depth?: ResNetDepth;
  /**
   * Stem: 'cifar' is a 3×3 stride-1 conv and no max-pool (for 32×32 inputs); 'imagenet' is
   * torchvision's 7×7 stride-2 conv and 3×3 stride-2 max-pool. Default 'cifar'.
   */
  readonly layout?: 'cifar' | 'imagenet';
}

export interface CifarResNetOptions extends CommonModelOptions {
  /** Depth 6n+2 (20, 32, 44, 56, 110...): n basic blocks in each of the three stages. Default 20. */
  readonly depth?: number;
  /** Width of the first stage; the stages are width, 2·width, 4·width. Default 16 (He et al.). */
  readonly width?: number;
  /** Stride of the 3×3 stem convolution; 2 quarters the cost of every later layer. Default 1 (He et al.). */
  readonly stemStride?: number;
}

const BLOCKS: Record<ResNetDepth, { bottleneck: boolean; layers: readonly number[] }> = {
  18: { bottleneck: false, layers: [2, 2, 2, 2] },
  34: { bottleneck: false, layers: [3, 4, 6, 3] },
  50: { bottleneck: true, layers: [3, 4, 6, 3] },
  101: { bottleneck: true, layers: [3, 4, 23, 3] },
};

/**
 * torchvision's BasicBlock. The shortcut is a 1×1 conv + BatchNorm projection when the stride or
 * the width changes (option B of He et al.), the identity otherwise.
 */
function basicBlock(net: Net, x: string, name: string, planes: number, stride: number): string {
  let out = net.relu(net.batchNorm(net.conv(x, `${name}.conv1`, planes, 3, { stride, pad: 1 }), `${name}.bn1`));
  out = net.batchNorm(net.conv(out, `${name}.conv2`, planes, 3, { pad: 1 }), `${name}.bn2`);
  return net.relu(net.add(out, shortcut(net, x, name, planes, stride)));
}

/** torchvision's Bottleneck (expansion 4), stride on the 3×3 conv. */
function bottleneck(net: Net, x: string, name: string, planes: number, stride: number): string {
  let out = net.relu(net.batchNorm(net.conv(x, `${name}.conv1`, planes, 1), `${name}.bn1`));
  out = net.relu(net.batchNorm(net.conv(out, `${name}.conv2`, planes, 3, { stride, pad: 1 }), `${name}.bn2`));
  out = net.batchNorm(net.conv(out, `${name}.conv3`, planes * 4, 1), `${name}.bn3`);
  return net.relu(net.add(out, shortcut(net, x, name, planes * 4, stride)));
}

function shortcut(net: Net, x: string, name: string, out: number, stride: number): string {
  if (stride === 1 && net.channels(x) === out) return x;
  return net.batchNorm(net.conv(x, `${name}.downsample.0`, out, 1, { stride }), `${name}.downsample.1`);
}

/** torchvision's ResNet-18/34/50/101, in the CIFAR or the ImageNet layout. */
export function resnet(options: ResNetOptions = {}): Model {
  const depth = options.depth ?? 18;
  const layout = options.layout ?? 'cifar';
  const spec = BLOCKS[depth];
  if (!spec) throw new OptionError(`ResNet depth must be 18, 34, 50 or 101, got ${String(depth)}`);
  if (layout !== 'cifar' && layout !== 'imagenet') throw new OptionError(`ResNet layout must be 'cifar' or 'imagenet', got '${String(layout)}'`);
  const imagenet = layout === 'imagenet';
  const common = resolveCommon(options, { inputSize: imagenet ? 224 : 32, channels: 3, numClasses: imagenet ? 1000 : 10 });
  const net = new Net(common, {
    family: 'resnet',
    name: `resnet${depth}${imagenet ? '' : '-cifar'}`,
    description: `ResNet-${depth} (torchvision definition, ${imagenet ? 'ImageNet layout: 7×7 stride-2 stem and max-pool' : 'CIFAR layout: 3×3 stride-1 stem, no max-pool'})`,
    options: { depth, layout, ...common },
  });
  let x = imagenet
    ? net.conv(net.input, 'conv1', 64, 7, { stride: 2, pad: 3 })
    : net.conv(net.input, 'conv1', 64, 3, { pad: 1 });
  x = net.relu(net.batchNorm(x, 'bn1'));
  if (imagenet) x = net.maxPool(x, 3, 2, 1);
  const block = spec.bottleneck ? bottleneck : basicBlock;
  spec.layers.forEach((count, stage) => {
    const planes = 64 * 2 ** stage;
    for (let i = 0; i < count; i++) {
      x = block(net, x, `layer${stage + 1}.${i}`, planes, i === 0 && stage > 0 ? 2 : 1);
    }
  });
  return net.finish(net.linear(net.globalPool(x), 'fc', common.numClasses, { output: LOGITS_NAME }));
}

/** The CIFAR ResNets of He et al. 2016 (ResNet-20/32/56...): 16-32-64 widths, option-B projection shortcuts. */
export function cifarResNet(options: CifarResNetOptions = {}): Model {
  const depth = options.depth ?? 20;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) throw new OptionError(`the CIFAR ResNet depth must be 6n+2 (20, 32, 56...), got ${depth}`);
  const n = (depth - 2) / 6;
  const width = options.width ?? 16;
  positiveInt('width', width);
  const common = resolveCommon(options, { inputSize: 32, channels: 3, numClasses: 10 });
  const net = new Net(common, {
    family: 'cifar-resnet',
    name: `resnet${depth}`,
    description: `ResNet-${depth} for CIFAR (He et al. 2016: 3×${n} basic blocks of widths ${width}-${2 * width}-${4 * width}, 1×1-conv+BN projection shortcuts)`,
    options: { depth, ...(options.width !== undefined ? { width } : {}), ...(options.stemStride !== undefined ? { stemStride: options.stemStride } : {}), ...common },
  });
  const stemStride = options.stemStride ?? 1;
  positiveInt('stemStride', stemStride);
  let x = net.relu(net.batchNorm(net.conv(net.input, 'conv1', width, 3, { pad: 1, stride: stemStride }), 'bn1'));
  [width, 2 * width, 4 * width].forEach((planes, stage) => {
    for (let i = 0; i < n; i++) x = basicBlock(net, x, `layer${stage + 1}.${i}`, planes, i === 0 && stage > 0 ? 2 : 1);
  });
  return net.finish(net.linear(net.globalPool(x), 'fc', common.numClasses, { output: LOGITS_NAME }));
}
