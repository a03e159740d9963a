// The validation split: a seeded, class-stratified hold-out of the training set. Model selection
// (best.ckpt) uses it so that the test set is only ever read to report.
import { classCounts, Dataset, subsetDataset } from './dataset';
import { DataError } from './errors';
import { Rng } from '../core/rng';

/** The hold-out size used when none is given: 5,000 images, or a tenth of a training set under 50,000. */
export function defaultValidationSize(trainLength: number): number {
  return Math.min(5000, Math.floor(trainLength / 10));
}

/** A training set split into what is trained on and what selects the model. */
export interface ValidationSplit {
  /** The images trained on, in their original order. */
  readonly train: Dataset;
  /** The held-out images (split 'val'), in their original order; undefined when `size` is 0. */
  readonly val: Dataset | undefined;
  /** Indices into the original training set of the held-out images, ascending. */
  readonly valIndices: readonly number[];
}

/**
 * Holds out `size` images of `ds`, each class in proportion to its share (largest remainders
 * break ties toward the lower class), chosen by a shuffle seeded with `seed`; the same data set,
 * size and seed always give the same indices.
 */
export function splitValidation(ds: Dataset, size: number, seed: number): ValidationSplit {
  if (!Number.isInteger(size) || size < 0 || size >= ds.length) {
    throw new DataError(`--val-split must be a whole number from 0 to ${ds.length - 1} (the training set holds ${ds.length} images), got ${size}`);
  }
  if (size === 0) return { train: ds, val: undefined, valIndices: [] };
  const counts = classCounts(ds);
  const exact = counts.map((c) => (c * size) / ds.length);
  const quota = exact.map(Math.floor);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (let k = 0, left = size - quota.reduce((a, b) => a + b, 0); k < left; k++) quota[order[k].c]++;
  const byClass: number[][] = counts.map(() => []);
  for (let i = 0; i < ds.length; i++) byClass[ds.labels[i]].push(i);
  const rng = new Rng(seed, 'validation-split');
  const held = new Uint8Array(ds.length);
  byClass.forEach((idx, c) => {
    rng.shuffle(idx);
    for (let k = 0; k < quota[c]; k++) held[idx[k]] = 1;
  });
  const valIndices: number[] = [];
  const trainIndices: number[] = [];
  for (let i = 0; i < ds.length; i++) (held[i] ? valIndices : trainIndices).push(i);
  return { train: subsetDataset(ds, trainIndices, ds.split), val: subsetDataset(ds, valIndices, 'val'), valIndices };
}
