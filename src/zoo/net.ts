// A layer-level front end over GraphBuilder for the zoo: parameters named as in the PyTorch
// state_dict of the reference architecture (so the weights load into PyTorch by name, and the
// gradient-parity fixtures key on the same names), seeded initialization, and the standard
// layers (Conv, BatchNorm, ReLU, Linear, pooling) emitted as opset-17 default-domain ops.
import { GraphBuilder } from '../onnx/builder';
import { DataType } from '../onnx/dtype';
import { Graph, Model, tensorSize } from '../onnx/ir';
import { Facts } from '../onnx/shape-inference';
import { Init, ONES, ZEROS, fillInit, kaimingNormalFanOut, torchDefaultBias, torchDefaultWeight } from './init';
import { InitRng } from '../core/rng';
import { ResolvedCommon } from './options';
import { attr } from '../onnx/attr';

const ZOO_OPSET = 17;
const ZOO_IR_VERSION = 8;
const INPUT_NAME = 'input';
export const LOGITS_NAME = 'logits';
/** The symbolic batch dimension of the input and the logits. */
const BATCH_DIM = 'N';

export interface ConvOptions {
  /** Stride in both spatial dims. Default 1. */
  readonly stride?: number;
  /** Zero padding on every side. Default 0. */
  readonly pad?: number;
  /** Whether the conv has a bias. Default false (the convs of BatchNorm networks have none). */
  readonly bias?: boolean;
  /** Weight initialization: 'kaiming-fan-out' (torchvision ResNet) or 'torch-default' (kaiming_uniform a=√5). Default 'kaiming-fan-out'. */
  readonly init?: 'kaiming-fan-out' | 'torch-default';
}

export interface LinearOptions {
  /** Name of the output value (e.g. 'logits'). Default: generated from the layer name. */
  readonly output?: string;
  /** Weight initialization; default PyTorch's Linear default (kaiming_uniform a=√5, bound 1/√fan_in). */
  readonly weightInit?: Init;
  /** Bias initialization; default uniform(±1/√fan_in). */
  readonly biasInit?: Init;
}

/** What a builder records about itself in the model (doc string and metadata). */
export interface NetDescription {
  /** Builder that made the model, stored in the metadata 'crsam.zoo.family' (e.g. 'cifar-resnet', 'vit'). */
  readonly family: string;
  /** Name of the architecture, e.g. 'resnet20', stored in the metadata 'crsam.zoo.name'. */
  readonly name: string;
  readonly description: string;
  /** The fully resolved options, stored as JSON in the metadata 'crsam.zoo.options'. */
  readonly options: object;
}

export class Net {
  readonly graph: Graph;
  readonly b: GraphBuilder;
  readonly input = INPUT_NAME;

  constructor(readonly common: ResolvedCommon, private readonly about: NetDescription) {
    this.graph = { name: about.name, nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
    const shape = [BATCH_DIM, common.channels, common.inputSize, common.inputSize];
    this.graph.inputs.push({ name: INPUT_NAME, dtype: DataType.FLOAT, shape });
    const facts: Facts = new Map([[INPUT_NAME, { dtype: DataType.FLOAT, shape }]]);
    this.b = new GraphBuilder(this.graph, ZOO_OPSET, facts);
  }

  /** Adds a float parameter under exactly `name`, drawn from `init` on its own seeded stream. */
  param(name: string, dims: readonly number[], init: Init): string {
    if (this.graph.initializers.has(name)) throw new Error(`internal: parameter '${name}' defined twice`);
    const n = tensorSize(dims);
    const data = fillInit(init, n, new InitRng(this.common.seed, name), this.common.initialize);
    const got = this.b.initializer(name, DataType.FLOAT, dims, data);
    if (got !== name) throw new Error(`internal: parameter name '${name}' collides with a value of the graph`);
    return got;
  }

  /** The static shape of `x` past the batch dim ([C, H, W] or [T, D]). */
  dims(x: string): number[] {
    const s = this.b.shape(x);
    if (!s || s.slice(1).some((d) => typeof d !== 'number')) throw new Error(`internal: the shape of '${x}' is not static past the batch dim`);
    return s.slice(1) as number[];
  }

  channels(x: string): number {
    return this.dims(x)[0];
  }

  /** The spatial size of an [N, C, H, W] value (its height). */
  spatial(x: string): number {
    return this.dims(x)[1];
  }

  conv(x: string, name: string, out: number, kernel: number, o: ConvOptions = {}): string {
    const cin = this.channels(x);
    const dims = [out, cin, kernel, kernel];
    const w = this.param(`${name}.weight`, dims, o.init === 'torch-default' ? torchDefaultWeight(dims) : kaimingNormalFanOut(dims));
    const inputs = [x, w];
    // torchvision leaves conv biases at PyTorch's default even when it re-initializes the weight.
    if (o.bias) inputs.push(this.param(`${name}.bias`, [out], torchDefaultBias(dims)));
    const stride = o.stride ?? 1;
    const pad = o.pad ?? 0;
    return this.b.op('Conv', inputs, { kernel_shape: attr.ints([kernel, kernel]), strides: attr.ints([stride, stride]), pads: attr.ints([pad, pad, pad, pad]) }, name);
  }

  /** BatchNorm2d in PyTorch's defaults: weight 1, bias 0, running mean 0 and variance 1, eps 1e-5, momentum 0.1 (ONNX: 0.9). */
  batchNorm(x: string, name: string): string {
    const c = this.channels(x);
    const ins = [x, this.param(`${name}.weight`, [c], ONES), this.param(`${name}.bias`, [c], ZEROS),
      this.param(`${name}.running_mean`, [c], ZEROS), this.param(`${name}.running_var`, [c], ONES)];
    return this.b.op('BatchNormalization', ins, { epsilon: attr.float(1e-5), momentum: attr.float(0.9) }, name);
  }

  relu(x: string): string {
    return this.b.op('Relu', [x]);
  }

  add(a: string, c: string, hint?: string): string {
    return this.b.op('Add', [a, c], {}, hint);
  }

  maxPool(x: string, kernel: number, stride: number, pad = 0): string {
    return this.b.op('MaxPool', [x], { kernel_shape: attr.ints([kernel, kernel]), strides: attr.ints([stride, stride]), pads: attr.ints([pad, pad, pad, pad]) });
  }

  /** Global average pooling to [N, C]. */
  globalPool(x: string): string {
    return this.b.op('Flatten', [this.b.op('GlobalAveragePool', [x])], { axis: attr.int(1) });
  }

  /** nn.Linear on [N, in]: Gemm with the weight in PyTorch's [out, in] layout (transB=1). */
  linear(x: string, name: string, out: number, o: LinearOptions = {}): string {
    const fin = this.dims(x)[0];
    const dims = [out, fin];
    const w = this.param(`${name}.weight`, dims, o.weightInit ?? torchDefaultWeight(dims));
    const bias = this.param(`${name}.bias`, [out], o.biasInit ?? torchDefaultBias(dims));
    if (o.output) return this.b.node('Gemm', [x, w, bias], { transB: attr.int(1) }, { outputNames: [o.output], name })[0];
    return this.b.op('Gemm', [x, w, bias], { transB: attr.int(1) }, name);
  }

  /** Completes the model; `logits` must be the value named 'logits' of shape [N, numClasses]. */
  finish(logits: string): Model {
    const s = this.b.shape(logits);
    if (logits !== LOGITS_NAME || !s || s.length !== 2 || s[0] !== BATCH_DIM || s[1] !== this.common.numClasses) {
      throw new Error(`internal: the model output is '${logits}' [${s?.join(', ') ?? '?'}], not '${LOGITS_NAME}' [${BATCH_DIM}, ${this.common.numClasses}]`);
    }
    this.graph.outputs.push({ name: LOGITS_NAME, dtype: DataType.FLOAT, shape: [BATCH_DIM, this.common.numClasses] });
    return {
      irVersion: ZOO_IR_VERSION,
      opsetImports: [{ domain: '', version: ZOO_OPSET }],
      producerName: 'crsam.zoo',
      producerVersion: '1',
      domain: '',
      modelVersion: 1,
      docString: this.about.description,
      metadataProps: new Map([
        ['crsam.zoo.family', this.about.family],
        ['crsam.zoo.name', this.about.name],
        ['crsam.zoo.options', JSON.stringify(this.about.options)],
      ]),
      graph: this.graph,
    };
  }
}
