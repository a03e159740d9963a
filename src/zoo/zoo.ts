// The zoo table: every named architecture with its default options and a one-line description.
// The builders take more options than the table exposes; the table's `build` only adapts a
// preset to a data set (input size, channels, classes) and a seed.
import { Model } from '../onnx/ir';
import { CommonModelOptions } from './options';
import { PyramidNetOptions, pyramidNet } from './pyramidnet';
import { CifarResNetOptions, ResNetDepth, ResNetOptions, cifarResNet, resnet } from './resnet';
import { LeNetOptions, MlpOptions, lenet5, mlp } from './small';
import { VitOptions, vit } from './vit';
import { WideResNetOptions, wideResNet } from './wide-resnet';
import { OptionError } from '../core/option-error';

export interface ZooEntry<O extends CommonModelOptions = CommonModelOptions> {
  /** Name in the table, e.g. 'resnet20'. */
  readonly name: string;
  /** One line for listings. */
  readonly description: string;
  /** The options the preset builds with, including its input size, channels and classes. */
  readonly defaults: Readonly<O>;
  /** Builds the preset; `overrides` replace its input size, channels, classes or seed. */
  build(overrides?: CommonModelOptions): Model;
}

function entry<O extends CommonModelOptions>(name: string, description: string, builder: (o: O) => Model, defaults: O): ZooEntry<O> {
  // Overrides given as undefined keep the preset's value (a spread would replace it with undefined).
  const defined = (o: CommonModelOptions) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as CommonModelOptions;
  return { name, description, defaults, build: (overrides = {}) => builder({ ...defaults, ...defined(overrides) }) };
}

const CIFAR = { inputSize: 32, channels: 3, numClasses: 10 } as const;
const IMAGENET = { inputSize: 224, channels: 3, numClasses: 1000 } as const;
const MNIST = { inputSize: 28, channels: 1, numClasses: 10 } as const;

function resnetEntry(depth: ResNetDepth, layout: 'cifar' | 'imagenet'): ZooEntry<ResNetOptions> {
  const cifar = layout === 'cifar';
  return entry(`resnet${depth}${cifar ? '-cifar' : ''}`,
    `ResNet-${depth}, torchvision definition, ${cifar ? 'CIFAR layout (3×3 stem, no max-pool), 32×32×3, 10 classes' : 'ImageNet layout (7×7 stride-2 stem, max-pool), 224×224×3, 1000 classes'}`,
    resnet, { depth, layout, ...(cifar ? CIFAR : IMAGENET) });
}

function cifarResNetEntry(depth: number): ZooEntry<CifarResNetOptions> {
  return entry(`resnet${depth}`, `ResNet-${depth} for CIFAR (He et al. 2016, widths 16-32-64, 1×1-conv projection shortcuts), 32×32×3, 10 classes`, cifarResNet, { depth, ...CIFAR });
}

export const ZOO: Readonly<Record<string, ZooEntry>> = Object.fromEntries([
  entry<MlpOptions>('mlp', 'MLP 784-256-256-10 with ReLU, 28×28×1 (Fashion-MNIST), 10 classes', mlp, { hidden: [256, 256], ...MNIST }),
  entry<LeNetOptions>('lenet5', 'LeNet-5 (ReLU, max-pool), 28×28×1 (Fashion-MNIST), 10 classes', lenet5, { ...MNIST }),
  entry<CifarResNetOptions>('resnet-fmnist', 'Small ResNet for the CPU demo: ResNet-8 (3 basic blocks, widths 16-32-64, stride-2 stem), 28×28×1 (Fashion-MNIST), 10 classes', cifarResNet,
    { depth: 8, width: 16, stemStride: 2, ...MNIST }),
  cifarResNetEntry(20),
  cifarResNetEntry(32),
  cifarResNetEntry(56),
  ...([18, 34, 50, 101] as const).map((d) => resnetEntry(d, 'cifar')),
  ...([18, 34, 50, 101] as const).map((d) => resnetEntry(d, 'imagenet')),
  entry<WideResNetOptions>('wrn-28-10', 'WideResNet-28-10 (pre-activation, dropout 0), 32×32×3, 10 classes', wideResNet, { depth: 28, widen: 10, dropout: 0, ...CIFAR }),
  entry<WideResNetOptions>('wrn-16-8', 'WideResNet-16-8 (pre-activation, dropout 0), 32×32×3, 10 classes', wideResNet, { depth: 16, widen: 8, dropout: 0, ...CIFAR }),
  entry<PyramidNetOptions>('pyramidnet-110-270', 'PyramidNet-110 with α=270 (basic blocks, zero-padded shortcuts), 32×32×3, 10 classes', pyramidNet, { depth: 110, alpha: 270, ...CIFAR }),
  entry<VitOptions>('vit-tiny', 'Tiny ViT that trains on a CPU: 8×8 patches, width 64, depth 2, 4 heads, MLP 128, 32×32×3, 10 classes', vit,
    { patchSize: 8, dim: 64, depth: 2, heads: 4, mlpRatio: 2, ...CIFAR }),
  entry<VitOptions>('vit-cifar', 'ViT of the CIFAR benchmark: 4×4 patches, width 128, depth 4, 4 heads, MLP 256, 32×32×3, 10 classes', vit,
    { patchSize: 4, dim: 128, depth: 4, heads: 4, mlpRatio: 2, ...CIFAR }),
  entry<VitOptions>('vit-s-32', 'ViT-S/32 (timm vit_small_patch32_224): width 384, depth 12, 6 heads, MLP 1536, 224×224×3, 1000 classes', vit,
    { patchSize: 32, dim: 384, depth: 12, heads: 6, mlpRatio: 4, ...IMAGENET }),
  entry<VitOptions>('vit-b-32', 'ViT-B/32 (timm vit_base_patch32_224): width 768, depth 12, 12 heads, MLP 3072, 224×224×3, 1000 classes', vit,
    { patchSize: 32, dim: 768, depth: 12, heads: 12, mlpRatio: 4, ...IMAGENET }),
].map((e) => [e.name, e as ZooEntry]));

/** Names of the zoo, in table order. */
export function zooNames(): string[] {
  return Object.keys(ZOO);
}

/** The entry called `name`; the error lists the names there are. */
export function zooEntry(name: string): ZooEntry {
  const e = Object.prototype.hasOwnProperty.call(ZOO, name) ? ZOO[name] : undefined;
  if (!e) throw new OptionError(`the zoo has no model '${name}'; choose one of ${zooNames().join(', ')}`);
  return e;
}

/** Builds the zoo model `name`, adapted by `overrides`. */
export function buildZooModel(name: string, overrides: CommonModelOptions = {}): Model {
  return zooEntry(name).build(overrides);
}
