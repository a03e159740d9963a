// The training loop on the synthetic set and a Fashion-MNIST slice: learning, exact resume,
// checkpoints and outputs.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunOptions, runTraining } from '../../src/train/run';
import { loadRunCheckpoint } from '../../src/train/checkpoint';
import { buildZooModel } from '../../src/zoo';
import { evaluateModel } from '../../src/train/evaluate';
import { loadModel } from '../../src/onnx/io';
import { loadDataset } from '../../src/data';
import { restoreModel } from '../../src/train/restore';
import { limitDataset as limitLikeRun } from '../../src/train/run';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-run-'));

function options(out: string, over: Partial<RunOptions> = {}): RunOptions {
  return {
    model: (train) => buildZooModel('mlp', { inputSize: train.height, channels: train.channels, numClasses: train.numClasses, seed: 3 }),
    modelName: 'mlp', dataset: 'synthetic', trainer: { optimizer: 'crsam', threads: 2 }, lr: 0.05, lrSchedule: 'cosine',
    epochs: 2, batchSize: 32, seed: 5, out, config: {}, ...over,
  };
}

describe('training loop', () => {
  it('learns the synthetic set well above chance and writes model, metrics, curves and checkpoints', async () => {
    const out = path.join(tmp, 'synthetic');
    const s = await runTraining(options(out, { epochs: 3, trackGeometry: 3, geometrySamples: 64 }));
    expect(s.test?.final.accuracy).to.be.above(0.8); // 4 classes: chance is 0.25
    expect(s.bestValAccuracy).to.be.above(0.8);
    // The default hold-out of a 512-image training set: a tenth, recorded in the run folder.
    const split = JSON.parse(fs.readFileSync(path.join(out, 'validation-split.json'), 'utf8')) as { size: number; indices: number[] };
    expect(split.size).to.equal(51);
    expect(split.indices).to.have.length(51);
    expect(s.epochs[2].trainLoss).to.be.below(s.epochs[0].trainLoss);
    for (const f of ['model.onnx', 'forward_model.onnx', 'metrics.jsonl', 'metrics.csv', 'summary.json', 'curves.svg', 'curves.png', 'checkpoints/last.ckpt', 'checkpoints/best.ckpt']) {
      expect(fs.existsSync(path.join(out, f)), f).to.equal(true);
    }
    const rows = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(rows.filter((r) => r.type === 'epoch')).to.have.length(3);
    expect(rows.filter((r) => r.type === 'step').length).to.equal(3 * 15); // 461 images / 32
    // --track-geometry 3: measured after epoch 3 only, NaN before (same CSV columns every row).
    expect(Number.isNaN(s.epochs[0].extra?.hessianTrace)).to.equal(true);
    expect(s.epochs[2].extra?.gradNorm).to.be.above(0);
    expect(Number.isFinite(s.epochs[2].extra?.hessianTrace)).to.equal(true);
    expect(fs.existsSync(path.join(out, 'geometry.png'))).to.equal(true);
  });

  it('an interrupted run resumed from its checkpoint ends with exactly the parameters of an uninterrupted one', async () => {
    const a = path.join(tmp, 'straight');
    await runTraining(options(a, { epochs: 3 }));
    const b = path.join(tmp, 'resumed');
    // Interrupt at the end of epoch 1 (15 steps per epoch), then in the middle of epoch 2, then finish.
    const stopAfter = async (steps: number, resume: boolean) => {
      const ctl = new AbortController();
      let n = 0;
      const s = await runTraining(options(b, { epochs: 3, resume }), { onStep: () => { if (++n === steps) ctl.abort(); } }, ctl.signal);
      expect(s.interrupted).to.equal(true);
    };
    await stopAfter(15, false);
    await stopAfter(5, true);
    const rest = await runTraining(options(b, { epochs: 3, resume: true }));
    // Epochs count from 1 in the files, as on screen.
    expect(rest.epochs.map((e) => e.epoch)).to.deep.equal([1, 2, 3]);
    // The metrics of the interrupted-and-resumed run hold every step and epoch exactly once.
    const rows = fs.readFileSync(path.join(b, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; epoch: number });
    expect(rows.filter((r) => r.type === 'step').map((r) => r.step)).to.deep.equal(Array.from({ length: 45 }, (_, i) => i));
    expect(rows.filter((r) => r.type === 'epoch').map((r) => r.epoch)).to.deep.equal([1, 2, 3]);
    expect(rows.filter((r) => r.type === 'step').map((r) => r.epoch)).to.deep.equal(Array.from({ length: 45 }, (_, i) => 1 + Math.floor(i / 15)));
    expect(fs.readFileSync(path.join(b, 'steps.csv'), 'utf8').trim().split('\n')).to.have.length(46);
    const pa = loadRunCheckpoint(path.join(a, 'checkpoints', 'last.ckpt'));
    const pb = loadRunCheckpoint(path.join(b, 'checkpoints', 'last.ckpt'));
    expect(pb.trainer.stepCount).to.equal(pa.trainer.stepCount);
    for (const [name, v] of pa.trainer.params) expect(Array.from(pb.trainer.params.get(name) as Float32Array), name).to.deep.equal(Array.from(v));
    const mom = (s: typeof pa) => (s.trainer.optimizer.kind === 'sgd' ? Array.from(s.trainer.optimizer.momentumBuffer ?? []) : []);
    expect(mom(pb)).to.deep.equal(mom(pa));
  });

  it('trains resnet-fmnist on a Fashion-MNIST slice past chance, and the exported model scores what the trainer measured', async function () {
    this.timeout(300000);
    const out = path.join(tmp, 'fmnist');
    const s = await runTraining({
      model: (train) => buildZooModel('resnet-fmnist', { inputSize: train.height, channels: train.channels, numClasses: train.numClasses }),
      modelName: 'resnet-fmnist', dataset: 'fashion-mnist', trainLimit: 2048, testLimit: 1000, valSplit: 1000,
      trainer: { optimizer: 'crsam', threads: 2 }, lr: 0.1, lrSchedule: 'constant', epochs: 1, batchSize: 64, seed: 1, out, config: {},
    });
    expect(s.test?.final.accuracy).to.be.above(0.3); // 10 classes: chance is 0.10
    // The deployable model, evaluated on its own, gives what the trainer measured on the same images.
    const pair = loadDataset('fashion-mnist');
    const test = limitLikeRun(pair.test, 1000, 1);
    const r = await evaluateModel(loadModel(path.join(out, 'model.onnx')), { train: pair.train, test }, 'test', 500);
    expect(r.count).to.equal(1000);
    expect(r.accuracy).to.be.closeTo(s.test?.final.accuracy ?? NaN, 1e-9);
    // And the checkpoint restored into the forward model agrees too.
    const again = await evaluateModel(restoreModel(out).model, { train: pair.train, test }, 'test', 250);
    expect(again.accuracy).to.be.closeTo(r.accuracy, 1e-9);
  });
});
