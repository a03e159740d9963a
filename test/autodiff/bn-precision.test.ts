// BatchNorm numerics of our training graph on a deep BN network, PyTorch float64 as the truth:
// a CIFAR ResNet-20 (TRAINING export, opset 17, batch 8; tools/make_bn_fixtures.py). Every
// BatchNorm output within 1.5× PyTorch float32's own max abs error; ReLU-kink crossings counted
// (pre-activations whose sign differs from float64's); gradients beside PyTorch float32's error.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { buildArtifacts, TrainingArtifacts } from '../../src/autodiff/artifacts';
import { DataType } from '../../src/onnx/dtype';
import { loadModel } from '../../src/onnx/io';
import { relErr } from './check-gradient';
import { runTrainingGraph } from './training-feeds';
import { loadTorchFixture } from '../torch-fixture';

interface BnManifest {
  tau: number;
  params: string[];
  bn: { module: string; output: string; numel: number; torchMaxErr: number; torchSampleMaxErr: number; key: string }[];
  relu: { module: string; input: string; numel: number; torchFlips: number; key: string }[];
  grads: Record<string, { torchRelErr: number; torchMaxErr: number }>;
  scalars: { loss64: number; loss32: number };
}

describe('BatchNorm precision of the training graph: CIFAR ResNet-20 against PyTorch float64', function () {
  this.timeout(120_000);
  const fx = loadTorchFixture('resnet20-bn');
  const mf = JSON.parse(fs.readFileSync(path.join(fx.dir, 'manifest.json'), 'utf8')) as BnManifest;
  let art: TrainingArtifacts;
  let out: ort.InferenceSession.OnnxValueMapType;
  const f32 = (name: string) => out[name].data as Float32Array;

  before(async () => {
    art = buildArtifacts(loadModel(fx.modelPath));
    // Expose every BatchNorm output and ReLU input of the training graph, by its exported name.
    const g = art.trainingModel.graph;
    for (const name of [...mf.bn.map((b) => b.output), ...mf.relu.map((r) => r.input)]) {
      if (!g.outputs.some((o) => o.name === name)) g.outputs.push({ name, dtype: DataType.FLOAT });
    }
    out = await runTrainingGraph(fx, art, 'input', 'labels');
  });

  it('every BatchNorm output is within 1.5x PyTorch float32 max abs error (on 2048 sampled positions each)', () => {
    const rows: string[] = [];
    let worst = 0;
    for (const bn of mf.bn) {
      const ours = f32(bn.output);
      expect(ours.length, bn.module).to.equal(bn.numel);
      const idx = fx.i32(`${bn.key}/idx`).data;
      const truth = fx.f64(`${bn.key}/truth`).data;
      let err = 0;
      idx.forEach((i, k) => { err = Math.max(err, Math.abs(ours[i] - truth[k])); });
      const ratio = err / bn.torchSampleMaxErr;
      worst = Math.max(worst, ratio);
      rows.push(`${bn.module} ${err.toExponential(1)}/${bn.torchSampleMaxErr.toExponential(1)}`);
      expect(err, `${bn.module}: ours ${err.toExponential(2)} vs PyTorch float32 ${bn.torchSampleMaxErr.toExponential(2)}`).to.be.at.most(1.5 * bn.torchSampleMaxErr);
      // The kink count below only looks at |pre-activation| < tau: errors must stay far below it.
      expect(err).to.be.below(mf.tau / 10);
    }
    process.stdout.write(`      BN max abs error vs float64, ours/PyTorch f32 (worst ratio ${worst.toFixed(2)}): ${rows.join(', ')}\n`);
  });

  it('ReLU-kink crossings are counted: no more sign flips than PyTorch float32', () => {
    let ours = 0;
    let torch = 0;
    const where: string[] = [];
    for (const r of mf.relu) {
      const z = f32(r.input);
      expect(z.length, r.module).to.equal(r.numel);
      const idx = fx.i32(`${r.key}/idx`).data;
      const truth = fx.f64(`${r.key}/truth`).data;
      let flips = 0;
      idx.forEach((i, k) => { if ((z[i] > 0) !== (truth[k] > 0)) flips++; });
      if (flips) where.push(`${r.module}: ${flips}`);
      ours += flips;
      torch += r.torchFlips;
    }
    process.stdout.write(`      ReLU pre-activations whose sign differs from float64: ours ${ours}${where.length ? ` (${where.join(', ')})` : ''}, PyTorch f32 ${torch}\n`);
    expect(ours).to.be.at.most(torch);
  });

  it('loss and every gradient against float64, beside PyTorch float32 error', () => {
    const lossErr = Math.abs((out.loss.data[0] as number) - mf.scalars.loss64) / mf.scalars.loss64;
    expect(lossErr).to.be.below(1e-6);
    let worstOurs = 0;
    let worstTorch = 0;
    let worstName = '';
    for (const p of art.params) {
      const e = relErr(f32(`${p.name}_grad`), fx.f32(`grad64/${p.name}`).data);
      const t = mf.grads[p.name].torchRelErr;
      if (e > worstOurs) { worstOurs = e; worstName = p.name; }
      worstTorch = Math.max(worstTorch, t);
      // Without kink flips (checked above) the gradients' only error is float32 rounding.
      expect(e, `grad of ${p.name}: ours ${e.toExponential(2)}, PyTorch f32 ${t.toExponential(2)}`).to.be.below(Math.max(10 * t, 1e-5));
    }
    process.stdout.write(`      gradient rel. error vs float64: ours worst ${worstOurs.toExponential(2)} (${worstName}), PyTorch f32 worst ${worstTorch.toExponential(2)}; loss ${lossErr.toExponential(1)}\n`);
  });
});
