// Model selection uses the validation hold-out only; the test set is read once training is over,
// to report the final and the best-by-validation model.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset, DatasetPair, makeSyntheticDataset } from '../../src/data';
import { loadRunCheckpoint } from '../../src/train/checkpoint';
import { runTraining } from '../../src/train/run';
import { buildZooModel } from '../../src/zoo';

/** `ds` with every read of its images or labels recorded as the number of epochs finished then. */
function spy(ds: Dataset, epochsDone: () => number, reads: number[]): Dataset {
  return new Proxy(ds, {
    get(target, key, receiver) {
      if (key === 'images' || key === 'labels') reads.push(epochsDone());
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

describe('model selection', function () {
  this.timeout(120000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-select-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('chooses best.ckpt on validation and reads the test set only after the last epoch', async () => {
    const base = makeSyntheticDataset({ trainSize: 400, testSize: 100, noise: 0.6, seed: 2 });
    let done = 0;
    const reads: number[] = [];
    const pair: DatasetPair = { train: base.train, test: spy(base.test, () => done, reads) };
    const out = path.join(tmp, 'run');
    const epochs = 4;
    const s = await runTraining({
      model: (train) => buildZooModel('mlp', { inputSize: train.height, channels: train.channels, numClasses: train.numClasses, seed: 1 }),
      modelName: 'mlp', dataset: pair, valSplit: 100, trainer: { optimizer: 'sgd', threads: 1 }, lr: 0.05, lrSchedule: 'constant',
      epochs, batchSize: 50, seed: 3, out, config: {},
    }, { onEpoch: () => { done++; } });
    // Read, and only once all epochs were done.
    expect(reads.length).to.be.above(0);
    expect(reads.every((r) => r === epochs), `epochs done at each test read: ${reads.join(',')}`).to.equal(true);
    // best.ckpt is the epoch of highest validation accuracy (the first of equals).
    const val = s.epochs.map((e) => e.valAccuracy);
    const bestEpoch = 1 + val.indexOf(Math.max(...val));
    expect(s.bestEpoch).to.equal(bestEpoch);
    expect(s.bestValAccuracy).to.equal(Math.max(...val));
    expect(loadRunCheckpoint(path.join(out, 'checkpoints', 'best.ckpt')).epoch).to.equal(bestEpoch);
    // The test figures are reported for both models; the held-out images are the recorded ones.
    expect(s.test?.final.count).to.equal(100);
    expect(s.test?.best?.count).to.equal(100);
    const rec = JSON.parse(fs.readFileSync(path.join(out, 'validation-split.json'), 'utf8')) as { indices: number[]; seed: number };
    expect(rec.indices).to.have.length(100);
    expect(rec.seed).to.equal(3);
    // Resuming with another hold-out is refused: the run's validation images would change.
    let err: unknown;
    try {
      await runTraining({
        model: (train) => buildZooModel('mlp', { inputSize: train.height, channels: train.channels, numClasses: train.numClasses, seed: 1 }),
        modelName: 'mlp', dataset: pair, valSplit: 50, trainer: { optimizer: 'sgd', threads: 1 }, lr: 0.05, lrSchedule: 'constant',
        epochs: epochs + 1, batchSize: 50, seed: 3, out, config: {}, resume: true,
      });
    } catch (e) { err = e; }
    expect(String(err)).to.match(/the validation images of .* differ from the ones this data set and --val-split\/--seed give/);
  });

  it('with --val-split 0 trains on all images, writes no best.ckpt, and reports the final model on test', async () => {
    const pair = makeSyntheticDataset({ trainSize: 200, testSize: 50 });
    const out = path.join(tmp, 'all');
    const s = await runTraining({
      model: (train) => buildZooModel('mlp', { inputSize: train.height, channels: train.channels, numClasses: train.numClasses, seed: 1 }),
      modelName: 'mlp', dataset: pair, valSplit: 0, trainer: { optimizer: 'sgd', threads: 1 }, lr: 0.05, lrSchedule: 'constant',
      epochs: 1, batchSize: 50, seed: 3, out, config: {},
    });
    expect(s.epochs[0].step).to.equal(4); // 200 images / 50
    expect(Number.isNaN(s.epochs[0].valAccuracy)).to.equal(true);
    expect(s.bestEpoch).to.equal(-1);
    expect(fs.existsSync(path.join(out, 'checkpoints', 'best.ckpt'))).to.equal(false);
    expect(s.test?.final.count).to.equal(50);
    expect(s.test?.best).to.equal(undefined);
  });
});

describe('synthetic data for a model', function () {
  this.timeout(120000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-synth-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("takes the model's input shape and class count (LeNet-5: 1×28×28, 10 classes)", async () => {
    let start: { trainSize: number; valSize: number } | undefined;
    const s = await runTraining({
      model: buildZooModel('lenet5', { seed: 1 }), modelName: 'lenet5', dataset: 'synthetic', trainer: { optimizer: 'sgd', threads: 1 },
      lr: 0.05, lrSchedule: 'constant', epochs: 1, batchSize: 64, seed: 0, out: path.join(tmp, 'lenet'), config: {},
    }, { onStart: (i) => { start = i; } });
    expect(start).to.deep.include({ trainSize: 461, valSize: 51 });
    expect(s.test?.final.count).to.equal(128);
    expect(s.epochs).to.have.length(1);
  });
});
