// Per-channel normalization constants. All values are in [0, 1] pixel units (byte / 255), the
// convention of torchvision's Normalize after ToTensor, so published constants apply as they are.
import { Dataset, imageSize } from './dataset';

/** Mean and standard deviation of each channel, in [0, 1] pixel units. */
export interface ChannelStats {
  /** One mean per channel. */
  readonly mean: readonly number[];
  /** One standard deviation per channel (population, over all pixels of the training split). */
  readonly std: readonly number[];
}

/**
 * Training-split statistics of the built-in data sets. MNIST, CIFAR-10 and CIFAR-100 are the
 * commonly used constants (the CIFAR std values are over pixels, not the often-copied
 * 0.2023/0.1994/0.2010, which are stds of per-image means). Fashion-MNIST's are those of the
 * official training file (numpy, float64: 0.286041 / 0.353024), the often-quoted 0.2860 / 0.3530.
 */
export const DATASET_STATS: Readonly<Record<string, ChannelStats>> = {
  'mnist': { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.2860], std: [0.3530] },
  'cifar10': { mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616] },
  'cifar100': { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
};

/** Population mean and standard deviation of each channel over the whole data set. */
export function computeChannelStats(ds: Dataset): ChannelStats {
  const plane = ds.height * ds.width;
  const size = imageSize(ds);
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < ds.channels; c++) {
    // Integer histogram: exact sums with no floating-point drift over tens of millions of pixels.
    const hist = new Float64Array(256);
    for (let i = 0; i < ds.length; i++) {
      const base = i * size + c * plane;
      for (let p = 0; p < plane; p++) hist[ds.images[base + p]]++;
    }
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let v = 0; v < 256; v++) {
      n += hist[v];
      s += hist[v] * v;
      s2 += hist[v] * v * v;
    }
    const m = n > 0 ? s / n : 0;
    mean.push(m / 255);
    std.push(n > 0 ? Math.sqrt(Math.max(0, s2 / n - m * m)) / 255 : 0);
  }
  return { mean, std };
}

/** Known statistics for `name`, or ones computed from `train` when the data set has none. */
export function statsFor(name: string, train: Dataset): ChannelStats {
  const known = DATASET_STATS[name];
  return known && known.mean.length === train.channels ? known : computeChannelStats(train);
}
