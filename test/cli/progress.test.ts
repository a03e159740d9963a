import { expect } from 'chai';
import { ProgressBar, ProgressStream } from '../../src/cli/progress';

function stream(isTTY: boolean, columns?: number): ProgressStream & { out: string[] } {
  const out: string[] = [];
  return { isTTY, columns, out, write: (s: string) => { out.push(s); return true; } };
}

describe('cli/progress', () => {
  const long = 'loss 0.1234 acc 98.7% 1234 img/s lr 0.0500 and some more detail to overflow';

  it('never draws past the terminal width (80 and 40 columns)', () => {
    for (const columns of [80, 40]) {
      const s = stream(true, columns);
      let t = 0;
      const bar = new ProgressBar(s, 30000, () => t);
      for (let k = 0; k <= 10; k++) { t += 1000; bar.update('epoch 1/7', k / 10, long); }
      expect(s.out.length).to.be.above(5);
      for (const w of s.out) expect(w.replace('\r\x1b[2K', '').length, w).to.be.below(columns);
    }
  });

  it('prints plain lines, no more than one per interval, when not a terminal', () => {
    const s = stream(false);
    let t = 0;
    const bar = new ProgressBar(s, 30000, () => t);
    for (let k = 0; k <= 100; k++) { t += 1000; bar.update('epoch 1/7', k / 100, 'loss 1'); }
    expect(s.out).to.have.length(3); // 100 s of updates: at 30, 60 and 90 s
    expect(s.out[0]).to.equal('epoch 1/7  30% ETA 1m10s loss 1\n'); // 30 % in 30 s: 70 s left
    expect(s.out.join('')).to.not.include('\r');
  });

  it('estimates the remaining time from progress since the label appeared (a resumed epoch)', () => {
    const s = stream(true, 120);
    let t = 0;
    const bar = new ProgressBar(s, 30000, () => t);
    bar.update('epoch 2/7', 0.5, '');   // resumed half-way
    t = 10000;
    bar.update('epoch 2/7', 0.6, '');   // 10 % in 10 s: 40 % left is 40 s
    expect(s.out[s.out.length - 1]).to.include('60% ETA 40s');
    bar.update('testing', 0, '');
    expect(s.out[s.out.length - 1]).to.include('0% ETA --');
  });
});
