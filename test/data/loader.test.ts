import { expect } from 'chai';
import { DataError, DataLoader, LoaderBatch, LoaderOptions, LoaderState, makeLoaders, makeSyntheticDataset } from '../../src/data';

interface Copy { inputs: number[]; dims: number[]; labels: bigint[]; indices: number[]; epoch: number; index: number }

/** Batches are reused buffers, so tests keep copies. */
const copy = (b: LoaderBatch): Copy => ({
  inputs: Array.from(b.inputs.input.data), dims: [...b.inputs.input.dims], labels: Array.from(b.labels), indices: Array.from(b.indices), epoch: b.epoch, index: b.index,
});

const data = makeSyntheticDataset({ trainSize: 103, testSize: 20, height: 4, width: 4, channels: 2, numClasses: 3, seed: 4 });
const train = data.train;
const augmented: LoaderOptions = { batchSize: 10, shuffle: true, augment: { cropPadding: 1, flip: true, cutout: 2 }, seed: 7 };

function syncRun(loader: DataLoader, count: number): { batches: Copy[]; states: LoaderState[] } {
  const batches: Copy[] = [];
  const states: LoaderState[] = [loader.getState()];
  for (let i = 0; i < count; i++) {
    batches.push(copy(loader.nextBatch()));
    states.push(loader.getState());
  }
  return { batches, states };
}

const tick = (ms = 2): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('data/loader', () => {
  it('visits every sample exactly once per epoch, keeping the last partial batch', () => {
    const loader = new DataLoader(train, { batchSize: 10, shuffle: true, seed: 1 });
    expect(loader.batchesPerEpoch).to.equal(11);
    for (let epoch = 0; epoch < 2; epoch++) {
      const seen: number[] = [];
      const batches = Array.from(loader.batches(), copy);
      expect(batches.map((b) => b.dims[0])).to.deep.equal([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
      for (const b of batches) {
        expect(b.epoch).to.equal(epoch);
        expect(b.dims).to.deep.equal([b.dims[0], 2, 4, 4]);
        expect(b.inputs).to.have.length(b.dims[0] * 32);
        for (let k = 0; k < b.dims[0]; k++) {
          const i = b.indices[k];
          seen.push(i);
          expect(b.labels[k]).to.equal(BigInt(train.labels[i]));
          // No augmentation: inputs are the bytes / 255.
          expect(b.inputs[k * 32 + 5]).to.be.closeTo(train.images[i * 32 + 5] / 255, 1e-7);
        }
      }
      expect(seen.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 103 }, (_, i) => i));
      expect(loader.epoch).to.equal(epoch + 1);
    }
  });

  it('drops the last partial batch when asked', () => {
    const loader = new DataLoader(train, { batchSize: 10, shuffle: true, dropLast: true });
    const batches = Array.from(loader.batches(), copy);
    expect(batches).to.have.length(10);
    expect(new Set(batches.flatMap((b) => b.indices)).size).to.equal(100);
    expect(() => new DataLoader(train, { batchSize: 200, dropLast: true })).to.throw(DataError, 'expected at least 200');
  });

  it('goes in order without shuffle', () => {
    const loader = new DataLoader(data.test, { batchSize: 8 });
    expect(Array.from(loader.batches(), copy).flatMap((b) => b.indices)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
  });

  it('is deterministic for a seed, reshuffles each epoch, and differs across seeds', () => {
    const a = syncRun(new DataLoader(train, augmented), 22).batches;
    const b = syncRun(new DataLoader(train, augmented), 22).batches;
    expect(a).to.deep.equal(b);
    expect(a[0].indices).to.not.deep.equal(a[11].indices);
    const c = syncRun(new DataLoader(train, { ...augmented, seed: 8 }), 1).batches;
    expect(c[0].indices).to.not.deep.equal(a[0].indices);
  });

  it('double-buffers: a batch stays valid until the next one is requested', () => {
    const loader = new DataLoader(train, { batchSize: 10 });
    const b0 = loader.nextBatch();
    const b1 = loader.nextBatch();
    const b2 = loader.nextBatch();
    expect(b1.inputs.input.data).to.not.equal(b0.inputs.input.data);
    expect(b2.inputs.input.data).to.equal(b0.inputs.input.data);
  });

  it('restores a state (through JSON) and then produces identical batches, mid-epoch and at epoch boundaries', () => {
    const { batches, states } = syncRun(new DataLoader(train, augmented), 30);
    for (const k of [0, 1, 5, 10, 11, 12, 25]) {
      const saved = JSON.parse(JSON.stringify(states[k])) as LoaderState;
      // A different seed: the restored state alone must decide what follows.
      const resumed = new DataLoader(train, { ...augmented, seed: 999 });
      resumed.setState(saved);
      expect(resumed.getState()).to.deep.equal(states[k]);
      expect(syncRun(resumed, 30 - k).batches).to.deep.equal(batches.slice(k));
    }
  });

  it('refuses a state from another configuration', () => {
    const state = new DataLoader(train, augmented).getState();
    expect(() => new DataLoader(train, { ...augmented, batchSize: 5 }).setState(state)).to.throw(DataError, 'batches of 10');
    expect(() => new DataLoader(data.test, augmented).setState(state)).to.throw(DataError, 'expected 20 images');
    expect(() => new DataLoader(train, augmented).setState({ ...state, position: 3 })).to.throw(DataError, 'batch boundary');
  });

  describe('prefetch', () => {
    it('yields the same batches as the synchronous path, epoch by epoch', async () => {
      const want = syncRun(new DataLoader(train, augmented), 33).batches;
      const loader = new DataLoader(train, augmented);
      const got: Copy[] = [];
      for (let e = 0; e < 3; e++) {
        for await (const b of loader.prefetch()) got.push(copy(b));
        expect(loader.epoch).to.equal(e + 1);
      }
      expect(got).to.deep.equal(want);
    });

    it('builds batch k+1 while the consumer awaits its step on batch k', async () => {
      const loader = new DataLoader(train, augmented);
      let received = 0;
      for await (const b of loader.prefetch()) {
        received++;
        const first = Array.from(b.inputs.input.data.subarray(0, 4));
        expect(loader.batchesProduced).to.equal(received); // the next one is only scheduled
        await tick(); // stands in for an ONNX Runtime step running off the main thread
        expect(loader.batchesProduced).to.equal(Math.min(received + 1, 11));
        expect(Array.from(b.inputs.input.data.subarray(0, 4))).to.deep.equal(first); // not overwritten meanwhile
      }
      expect(received).to.equal(11);
    });

    it('reports the state after the last batch handed out, and resumes exactly after an early break', async () => {
      const { batches, states } = syncRun(new DataLoader(train, augmented), 22);
      const loader = new DataLoader(train, augmented);
      let n = 0;
      for await (const b of loader.prefetch()) {
        expect(copy(b)).to.deep.equal(batches[n]);
        n++;
        await tick();
        expect(loader.getState()).to.deep.equal(states[n]); // not the prefetched batch's
        expect(() => loader.nextBatch()).to.throw(Error, 'prefetch iteration is in progress');
        if (n === 4) break;
      }
      const saved = JSON.parse(JSON.stringify(loader.getState())) as LoaderState;
      expect(saved).to.deep.equal(states[4]);
      // The same loader continues where the consumer stopped (the prefetched batch was rewound) ...
      const rest: Copy[] = [];
      for await (const b of loader.prefetch()) rest.push(copy(b));
      for await (const b of loader.prefetch()) rest.push(copy(b));
      expect(rest).to.deep.equal(batches.slice(4, 22));
      // ... and so does a fresh loader restored from the checkpoint.
      const resumed = new DataLoader(train, { ...augmented, seed: 3 });
      resumed.setState(saved);
      const again: Copy[] = [];
      for await (const b of resumed.prefetch()) again.push(copy(b));
      expect(again).to.deep.equal(batches.slice(4, 11));
    });

    it('propagates an error thrown by the consumer and stays usable', async () => {
      const loader = new DataLoader(train, augmented);
      let thrown: unknown;
      try {
        for await (const b of loader.prefetch()) {
          if (b.index === 2) throw new Error('step failed');
        }
      } catch (err) {
        thrown = err;
      }
      expect((thrown as Error).message).to.equal('step failed');
      expect(loader.getState().position).to.equal(30);
      expect(loader.nextBatch().index).to.equal(3);
    });
  });

  it('makeLoaders: shuffled augmented training, in-order test normalized with training statistics', () => {
    const { train: tr, test } = makeLoaders(data, { batchSize: 16, evalBatchSize: 7, seed: 2 });
    expect(tr.shuffle).to.equal(true);
    expect(test.shuffle).to.equal(false);
    expect(test.batchesPerEpoch).to.equal(3);
    const b = test.nextBatch();
    expect(Array.from(b.indices)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    let mean = 0;
    for (const v of b.inputs.input.data) mean += v / b.inputs.input.data.length;
    expect(Math.abs(mean)).to.be.below(0.5); // normalized, not [0, 1] scaled
  });
});
