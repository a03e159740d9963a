// The Trainer under misuse: close() while a CR-SAM step runs waits for it (it used to abort the
// process natively), and a second, overlapping step() is refused before it touches any state.
import { expect } from 'chai';
import * as path from 'node:path';
import { Trainer } from '../../src/train/trainer';
import { repoRoot } from '../repo-root';

const mlp = path.join(repoRoot(), 'models', 'mlp.onnx');

function batch(n: number, phase: number) {
  return {
    inputs: { input: { data: new Float32Array(n * 784).map((_, i) => 0.5 * Math.sin(i + phase)), dims: [n, 1, 28, 28] } },
    labels: BigInt64Array.from(Array.from({ length: n }, (_, i) => BigInt((i + phase) % 10))),
  };
}

const create = () => Trainer.create({ model: mlp, optimizer: 'crsam', threads: 2, parallel: 'auto' });

describe('Trainer: concurrent misuse', function () {
  this.timeout(300000);

  it('refuses an overlapping step before touching state: the running step finishes on its own batch', async () => {
    const a = await create();
    const b = await create();
    try {
      const first = a.step(batch(16, 0));
      let err: unknown;
      try { await a.step(batch(16, 5)); } catch (e) { err = e; }
      expect((err as Error).message).to.equal('a step is already running on this trainer; await each step() before starting the next');
      await first;
      await b.step(batch(16, 0));
      expect(a.stepCount).to.equal(1);
      for (const [k, v] of b.parameters()) expect(Buffer.from((a.parameters().get(k) as Float32Array).buffer).equals(Buffer.from(v.buffer)), k).to.equal(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('close() while a step is in flight waits for it and never crashes; later steps are refused', async () => {
    for (let i = 0; i < 6; i++) {
      const t = await create();
      const step = t.step(batch(32, i));
      const closing = t.close();
      const m = await step;
      expect(Number.isFinite(m.loss)).to.equal(true);
      await closing;
      await t.close(); // twice is fine
      let err: unknown;
      try { await t.step(batch(8, 0)); } catch (e) { err = e; }
      expect((err as Error).message).to.match(/this trainer is closed/);
    }
  });
});
