// The builders' options, initializations and determinism, and a training step of the small models.
import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { Model } from '../../src/onnx/ir';
import { serializeModel } from '../../src/onnx/io';
import {
  InitRng, ZOO, buildZooModel, cifarResNet, countParameters, lenet5, mlp, pyramidNet, pyramidWidths, resnet, roundHalfEven, vit, wideResNet, zooEntry,
} from '../../src/zoo';
import { runTrainingStep } from './fixture';

function weights(model: Model, name: string): Float32Array {
  const t = model.graph.initializers.get(name);
  if (!t) throw new Error(`no initializer ${name}`);
  return t.data as Float32Array;
}

function moments(a: Float32Array): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (const v of a) { s += v; s2 += v * v; m = Math.max(m, Math.abs(v)); }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), maxAbs: m };
}

describe('zoo builders', () => {
  it('the seeded generator is deterministic and per-stream', () => {
    const a = new InitRng(7, 'w');
    const b = new InitRng(7, 'w');
    const c = new InitRng(7, 'v');
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).to.deep.equal(xs);
    expect(Array.from({ length: 5 }, () => c.nextU32())).to.not.deep.equal(xs);
    const g = new InitRng(1, 'g');
    const n = Float32Array.from({ length: 20000 }, () => g.normal());
    const m = moments(n);
    expect(m.mean).to.be.closeTo(0, 0.03);
    expect(m.std).to.be.closeTo(1, 0.03);
    const u = Float32Array.from({ length: 20000 }, () => g.uniform(-2, 2));
    expect(Math.min(...u)).to.be.at.least(-2);
    expect(Math.max(...u)).to.be.below(2);
    expect(moments(u).std).to.be.closeTo(4 / Math.sqrt(12), 0.03);
  });

  it('ResNet: kaiming-normal fan_out convs, BatchNorm 1/0 with running stats 0/1, Linear default fc', () => {
    const m = cifarResNet({ depth: 20, seed: 5 });
    const w = moments(weights(m, 'layer3.0.conv2.weight'));
    expect(w.mean).to.be.closeTo(0, 0.002);
    expect(w.std).to.be.closeTo(Math.sqrt(2 / (64 * 9)), 0.002);
    expect(Array.from(weights(m, 'bn1.weight'))).to.deep.equal(new Array(16).fill(1));
    expect(Array.from(weights(m, 'bn1.bias'))).to.deep.equal(new Array(16).fill(0));
    expect(Array.from(weights(m, 'bn1.running_mean'))).to.deep.equal(new Array(16).fill(0));
    expect(Array.from(weights(m, 'bn1.running_var'))).to.deep.equal(new Array(16).fill(1));
    const fc = moments(weights(m, 'fc.weight'));
    expect(fc.maxAbs).to.be.at.most(1 / 8);
    expect(fc.std).to.be.closeTo(1 / 8 / Math.sqrt(3), 0.01);
    expect(moments(weights(m, 'fc.bias')).maxAbs).to.be.at.most(1 / 8);
  });

  it('ViT: timm initialization (trunc-normal 0.02 Linear weights, zero biases, tiny cls token)', () => {
    const m = vit({ dim: 64, depth: 1, heads: 4, seed: 3 });
    const qkv = moments(weights(m, 'blocks.0.attn.qkv.weight'));
    expect(qkv.std).to.be.closeTo(0.02, 0.001);
    expect(m.graph.initializers.get('blocks.0.attn.qkv.weight')?.dims).to.deep.equal([192, 64]);
    expect(moments(weights(m, 'blocks.0.mlp.fc1.bias')).maxAbs).to.equal(0);
    expect(moments(weights(m, 'cls_token')).maxAbs).to.be.below(1e-5);
    expect(moments(weights(m, 'head.weight')).std).to.be.closeTo(0.02, 0.003);
    expect(Array.from(weights(m, 'norm.weight'))).to.deep.equal(new Array(64).fill(1));
    const ops = new Set(m.graph.nodes.map((n) => n.opType));
    for (const op of ['LayerNormalization', 'Softmax', 'Erf', 'Expand', 'Concat', 'Gather', 'MatMul']) expect(ops.has(op), op).to.equal(true);
  });

  it('the same seed gives the same bytes; another seed other weights; a layer\'s weights do not depend on the others', () => {
    expect(serializeModel(cifarResNet({ seed: 9 }))).to.deep.equal(serializeModel(cifarResNet({ seed: 9 })));
    expect(weights(cifarResNet({ seed: 9 }), 'conv1.weight')).to.not.deep.equal(weights(cifarResNet({ seed: 10 }), 'conv1.weight'));
    // Per-parameter streams: changing the head leaves the convolutions as they were.
    expect(weights(cifarResNet({ seed: 9, numClasses: 100 }), 'layer1.0.conv1.weight')).to.deep.equal(weights(cifarResNet({ seed: 9 }), 'layer1.0.conv1.weight'));
  });

  it('initialize: false leaves random weights zero but keeps constant initializations', () => {
    const m = cifarResNet({ initialize: false });
    expect(moments(weights(m, 'conv1.weight')).maxAbs).to.equal(0);
    expect(Array.from(weights(m, 'bn1.weight'))).to.deep.equal(new Array(16).fill(1));
  });

  it('adapts to the data set: Fashion-MNIST 28×28×1 and 100 classes', () => {
    const m = buildZooModel('resnet20', { inputSize: 28, channels: 1, numClasses: 100 });
    expect(m.graph.inputs[0].shape).to.deep.equal(['N', 1, 28, 28]);
    expect(m.graph.outputs[0].shape).to.deep.equal(['N', 100]);
    expect(vit({ inputSize: 28, channels: 1, patchSize: 7 }).graph.initializers.get('pos_embed')?.dims).to.deep.equal([1, 17, 128]);
    expect(resnet({ depth: 18, layout: 'imagenet', inputSize: 64, initialize: false }).graph.outputs[0].shape).to.deep.equal(['N', 1000]);
  });

  it('refuses impossible options with a reason', () => {
    expect(() => vit({ inputSize: 30, patchSize: 4 })).to.throw(/does not divide/);
    expect(() => vit({ dim: 30, heads: 4 })).to.throw(/multiple of the 4 heads/);
    expect(() => cifarResNet({ depth: 21 })).to.throw(/6n\+2/);
    expect(() => wideResNet({ depth: 27 })).to.throw(/6n\+4/);
    expect(() => wideResNet({ dropout: 1 })).to.throw(/dropout/);
    expect(() => pyramidNet({ depth: 100 })).to.throw(/6n\+2/);
    expect(() => resnet({ depth: 19 as 18 })).to.throw(/18, 34, 50 or 101/);
    expect(() => mlp({ numClasses: 0 })).to.throw(/numClasses/);
    expect(() => lenet5({ inputSize: 8 })).to.throw(/12×12/);
    expect(() => zooEntry('resnet-9000')).to.throw(/choose one of .*resnet20/);
  });

  it('WideResNet with dropout emits Dropout nodes that the trainer switches to training mode', () => {
    const m = wideResNet({ depth: 10, widen: 1, dropout: 0.3, inputSize: 8, initialize: false });
    expect(m.graph.nodes.filter((n) => n.opType === 'Dropout')).to.have.length(3);
    expect(wideResNet({ depth: 10, widen: 1, inputSize: 8, initialize: false }).graph.nodes.some((n) => n.opType === 'Dropout')).to.equal(false);
    expect(buildArtifacts(m).trainingModel.graph.nodes.some((n) => n.opType === 'Dropout')).to.equal(true);
  });

  it('PyramidNet widths follow the release (Python rounding of the accumulated widths)', () => {
    expect([0.5, 1.5, 2.5, 2.4, 2.6].map(roundHalfEven)).to.deep.equal([0, 2, 2, 2, 3]);
    const w = pyramidWidths(110, 270);
    expect(w.outputs).to.deep.equal(Array.from({ length: 54 }, (_, k) => 21 + 5 * k));
    expect(w.inputs.slice(0, 3)).to.deep.equal([16, 21, 26]);
    expect(pyramidWidths(20, 48).outputs).to.deep.equal([21, 27, 32, 37, 43, 48, 53, 59, 64]);
  });

  for (const name of ['mlp', 'lenet5']) {
    it(`${name}: one training step runs and starts near ln(10)`, async () => {
      const model = ZOO[name].build({ seed: 1 });
      const art = buildArtifacts(model);
      expect(art.params.length).to.equal(countParameters(model).tensors);
      const input = { data: Float32Array.from({ length: 4 * 784 }, (_, i) => Math.sin(i)), dims: [4, 1, 28, 28] };
      const out = await runTrainingStep(art, input, { data: BigInt64Array.from([0n, 3n, 5n, 9n]), dims: [4] });
      expect(out.loss.data[0] as number).to.be.closeTo(Math.log(10), 0.5);
      for (const p of art.params) expect((out[`${p.name}_grad`].data as Float32Array).every(Number.isFinite), p.name).to.equal(true);
    });
  }

  it('the inference model of the tiny ViT runs on onnxruntime-node', async () => {
    const art = buildArtifacts(ZOO['vit-tiny'].build());
    const s = await ort.InferenceSession.create(serializeModel(art.inferenceModel));
    const r = await s.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * 32 * 32).fill(0.5), [2, 3, 32, 32]) });
    expect(r.logits.dims).to.deep.equal([2, 10]);
    await s.release();
  });
});
