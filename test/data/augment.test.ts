import { expect } from 'chai';
import { Augmenter, AugmentOptions, DataError, defaultCutoutSize, Rng, trainAugmentation, evalAugmentation, DATASET_STATS } from '../../src/data';
import { testBytes } from './helpers';

/** An Rng whose draws are scripted, to put crops and holes exactly where a test wants them. */
class ScriptedRng extends Rng {
  constructor(private readonly ints: number[], private readonly u32s: number[] = []) {
    super(0);
  }
  override nextInt(n: number): number {
    const v = this.ints.shift();
    if (v === undefined || v >= n) throw new Error(`unscripted nextInt(${n})`);
    return v;
  }
  override nextU32(): number {
    const v = this.u32s.shift();
    if (v === undefined) throw new Error('unscripted nextU32');
    return v;
  }
}

const FLIP = 0xffffffff;
const KEEP = 0;

function run(shape: { channels: number; height: number; width: number }, opts: AugmentOptions, src: Uint8Array, rng?: Rng): number[] {
  const out = new Float32Array(src.length).fill(NaN);
  new Augmenter(shape, opts).apply(src, 0, out, 0, rng);
  return Array.from(out, (v) => Math.round(v * 255 * 1000) / 1000);
}

/** A straightforward reference: pad, crop, flip, normalize, cut, drawing in the documented order. */
function reference(shape: { channels: number; height: number; width: number }, opts: { pad: number; flip: boolean; hole: number; mean: number[]; std: number[] }, src: Uint8Array, rng: Rng): Float32Array {
  const { channels: C, height: H, width: W } = shape;
  const p = opts.pad;
  const oy = p > 0 ? rng.nextInt(2 * p + 1) : p;
  const ox = p > 0 ? rng.nextInt(2 * p + 1) : p;
  const flip = opts.flip && rng.nextU32() >= 0x80000000;
  const cy = opts.hole > 0 ? rng.nextInt(H) : -1;
  const cx = opts.hole > 0 ? rng.nextInt(W) : -1;
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) {
    const padded: number[][] = Array.from({ length: H + 2 * p }, () => new Array<number>(W + 2 * p).fill(0));
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) padded[y + p][x + p] = src[c * H * W + y * W + x];
    const crop = padded.slice(oy, oy + H).map((row) => row.slice(ox, ox + W));
    const img = flip ? crop.map((row) => [...row].reverse()) : crop;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inHole = opts.hole > 0 && y >= cy - Math.floor(opts.hole / 2) && y < cy - Math.floor(opts.hole / 2) + opts.hole &&
          x >= cx - Math.floor(opts.hole / 2) && x < cx - Math.floor(opts.hole / 2) + opts.hole;
        out[c * H * W + y * W + x] = inHole ? 0 : (img[y][x] / 255 - opts.mean[c]) / opts.std[c];
      }
    }
  }
  return out;
}

describe('data/augment', () => {
  const tiny = { channels: 1, height: 3, width: 3 };
  const img = Uint8Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90]);

  it('only scales to [0, 1] by default, without drawing', () => {
    expect(run(tiny, {}, img)).to.deep.equal([10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('crops with zero padding at the drawn offset', () => {
    // pad 1: nextInt(3) = 0 → shift up by one (row offset -1); 2 → column offset +1.
    expect(run(tiny, { cropPadding: 1 }, img, new ScriptedRng([0, 2]))).to.deep.equal([0, 0, 0, 20, 30, 0, 50, 60, 0]);
    expect(run(tiny, { cropPadding: 1 }, img, new ScriptedRng([1, 1]))).to.deep.equal([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(run(tiny, { cropPadding: 2 }, img, new ScriptedRng([4, 0]))).to.deep.equal([0, 0, 70, 0, 0, 0, 0, 0, 0]);
  });

  it('flips left-right with probability 1/2, after the crop', () => {
    expect(run(tiny, { flip: true }, img, new ScriptedRng([], [FLIP]))).to.deep.equal([30, 20, 10, 60, 50, 40, 90, 80, 70]);
    expect(run(tiny, { flip: true }, img, new ScriptedRng([], [KEEP]))).to.deep.equal([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    // Crop window shifted right by one, then mirrored: [_, 30, 20] per row.
    expect(run(tiny, { cropPadding: 1, flip: true }, img, new ScriptedRng([1, 2], [FLIP]))).to.deep.equal([0, 30, 20, 0, 60, 50, 0, 90, 80]);
    const r = new Rng(9);
    let flips = 0;
    const a = new Augmenter({ channels: 1, height: 1, width: 2 }, { flip: true });
    const out = new Float32Array(2);
    for (let i = 0; i < 4000; i++) {
      a.apply(Uint8Array.from([0, 255]), 0, out, 0, r);
      if (out[0] === 1) flips++;
    }
    expect(flips).to.be.within(1850, 2150);
  });

  it('cuts one hole, clipped at the border, in every channel, filled with 0 after normalization', () => {
    const shape = { channels: 2, height: 4, width: 4 };
    const white = new Uint8Array(32).fill(255);
    const norm = { mean: [0.5, 0.5], std: [0.25, 0.25] };
    const out = new Float32Array(32);
    // size 2, centre (0, 3): rows [-1, 1) ∩ image = {0}, columns [2, 4).
    new Augmenter(shape, { cutout: 2, normalize: norm }).apply(white, 0, out, 0, new ScriptedRng([0, 3]));
    const expected = new Array<number>(32).fill(2);
    for (const c of [0, 16]) { expected[c + 2] = 0; expected[c + 3] = 0; }
    expect(Array.from(out)).to.deep.equal(expected);
  });

  it('sizes the default Cutout hole at half the image: 16×16 on 32×32', () => {
    expect(defaultCutoutSize({ channels: 3, height: 32, width: 32 })).to.equal(16);
    const shape = { channels: 3, height: 32, width: 32 };
    const out = new Float32Array(3 * 1024);
    new Augmenter(shape, { cutout: true }).apply(new Uint8Array(3 * 1024).fill(255), 0, out, 0, new ScriptedRng([16, 16]));
    let zeros = 0;
    for (let i = 0; i < out.length; i++) if (out[i] === 0) zeros++;
    expect(zeros).to.equal(3 * 256);
    expect(out[8 * 32 + 8]).to.equal(0);
    expect(out[8 * 32 + 7]).to.equal(1);
    expect(out[23 * 32 + 23]).to.equal(0);
    expect(out[24 * 32 + 23]).to.equal(1);
  });

  it('normalizes each channel with its own mean and std', () => {
    const shape = { channels: 3, height: 1, width: 2 };
    const stats = DATASET_STATS.cifar10;
    const src = Uint8Array.from([0, 255, 128, 64, 32, 16]);
    const out = new Float32Array(6);
    new Augmenter(shape, { normalize: stats }).apply(src, 0, out, 0);
    for (let i = 0; i < 6; i++) {
      const c = Math.floor(i / 2);
      expect(out[i]).to.be.closeTo((src[i] / 255 - stats.mean[c]) / stats.std[c], 1e-6);
    }
  });

  it('matches a naive reference on random images with all options on, and writes at offsets', () => {
    const shape = { channels: 3, height: 7, width: 5 };
    const size = 105;
    const norm = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] };
    const aug = new Augmenter(shape, { cropPadding: 2, flip: true, cutout: 3, normalize: norm });
    const a = new Rng(123);
    const b = new Rng(123);
    const src = testBytes(size * 50, 77);
    const dst = new Float32Array(size * 51);
    for (let i = 0; i < 50; i++) {
      aug.apply(src, i * size, dst, (i + 1) * size, a);
      const want = reference(shape, { pad: 2, flip: true, hole: 3, mean: norm.mean, std: norm.std }, src.subarray(i * size, (i + 1) * size), b);
      expect(Array.from(dst.subarray((i + 1) * size, (i + 2) * size))).to.deep.equal(Array.from(want));
    }
    expect(a.getState()).to.deep.equal(b.getState());
  });

  it('is deterministic for a seed', () => {
    const shape = { channels: 1, height: 8, width: 8 };
    const src = testBytes(64 * 20, 5);
    const go = (seed: number): number[] => {
      const aug = new Augmenter(shape, { cropPadding: 2, flip: true, cutout: true });
      const r = new Rng(seed);
      const out = new Float32Array(64 * 20);
      for (let i = 0; i < 20; i++) aug.apply(src, i * 64, out, i * 64, r);
      return Array.from(out);
    };
    expect(go(1)).to.deep.equal(go(1));
    expect(go(1)).to.not.deep.equal(go(2));
  });

  it('refuses bad options and a missing Rng', () => {
    expect(() => new Augmenter(tiny, { cropPadding: -1 })).to.throw(DataError);
    expect(() => new Augmenter(tiny, { cutout: 1.5 })).to.throw(DataError);
    expect(() => new Augmenter(tiny, { normalize: { mean: [0, 0], std: [1, 1] } })).to.throw(DataError, 'expected 1, one per channel');
    expect(() => new Augmenter(tiny, { normalize: { mean: [0], std: [0] } })).to.throw(DataError, 'expected a positive number');
    expect(() => new Augmenter(tiny, { flip: true }).apply(img, 0, new Float32Array(9), 0)).to.throw(Error, 'needs an Rng');
  });

  it('has per-data-set presets: no flip for digits, 2 px crops on 28×28, 4 px on 32×32', () => {
    const ds = (name: string, channels: number, side: number) => ({ name, numClasses: 10, channels, height: side, width: side, length: 1, images: new Uint8Array(channels * side * side), labels: new Uint8Array(1) });
    expect(trainAugmentation(ds('mnist', 1, 28))).to.deep.include({ cropPadding: 2, flip: false, normalize: DATASET_STATS.mnist });
    expect(trainAugmentation(ds('fashion-mnist', 1, 28))).to.deep.include({ cropPadding: 2, flip: true });
    expect(trainAugmentation(ds('cifar10', 3, 32), true)).to.deep.include({ cropPadding: 4, flip: true, cutout: true, normalize: DATASET_STATS.cifar10 });
    expect(trainAugmentation(ds('synthetic', 1, 8))).to.deep.include({ cropPadding: 1, flip: false });
    expect(evalAugmentation(ds('cifar100', 3, 32))).to.deep.equal({ normalize: DATASET_STATS.cifar100 });
  });
});
