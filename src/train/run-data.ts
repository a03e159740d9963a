// The data of a training run: the training set split into what is trained on and a validation
// hold-out (which chooses best.ckpt), and the test set, which is only read to report. The
// held-out indices are written to the run folder so the split can be checked and reproduced.
import type { TrainingArtifacts } from '../autodiff/artifacts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file';
import { CrsamError } from '../core/errors';
import { Dataset, DatasetPair, ImageShape, Rng, defaultValidationSize, loadDataset, splitValidation, subsetDataset } from '../data';

export class RunDataError extends CrsamError {
  override readonly name = 'RunDataError';
}

/** Image shape and class count a synthetic data set is made with (the model's). */
export interface DataShape extends ImageShape {
  /** Output classes. */
  readonly numClasses: number;
}

/** The image shape and class count a model's artifacts take, when its input is [N, C, H, W] with static C, H, W. */
export function artifactsDataShape(art: Pick<TrainingArtifacts, 'dataInputs' | 'numClasses'>): DataShape | undefined {
  const shape = art.dataInputs[0]?.shape;
  if (!shape || shape.length !== 4 || !shape.slice(1).every((d) => typeof d === 'number')) return undefined;
  const [channels, height, width] = shape.slice(1) as number[];
  return { channels, height, width, numClasses: art.numClasses };
}

/** Inputs of `prepareRunData`. */
export interface RunDataOptions {
  /** A data set name (see `loadDataset`), or the user's own train/test pair. */
  readonly dataset: string | DatasetPair;
  /** Folder of the data set's files. Default: as `loadDataset` finds them. */
  readonly dataDir?: string;
  /** Images held out of the training set for validation; 0 trains on all. Default: `defaultValidationSize`. */
  readonly valSplit?: number;
  /** Use only the first N training images (after the hold-out) of a seeded shuffle. Default: all. */
  readonly trainLimit?: number;
  /** Use only the first N test images of a seeded shuffle. Default: all. */
  readonly testLimit?: number;
  /** Seed of the hold-out and of the limits. */
  readonly seed: number;
  /** Shape of the synthetic data set (the model's). Default: the synthetic set's defaults. */
  readonly syntheticShape?: DataShape;
}

/** What a run trains on, selects on and reports on. */
export interface RunData {
  /** Data set id (the training split's `name`). */
  readonly name: string;
  /** What is trained on: the training split less the hold-out, then `trainLimit`. */
  readonly train: Dataset;
  /** The validation hold-out; undefined with `valSplit` 0. */
  readonly val: Dataset | undefined;
  /** Read only to report (final model and best-by-validation model), never to choose. */
  readonly test: Dataset;
  /** Indices into the full training set of the validation images, ascending. */
  readonly valIndices: readonly number[];
}

/** The seeded subset `--train-limit`/`--test-limit` select (the first n of a seeded shuffle, in data-set order). */
export function limitDataset(ds: Dataset, n: number | undefined, seed: number): Dataset {
  if (!n || n >= ds.length) return ds;
  const idx = Array.from({ length: ds.length }, (_, i) => i);
  new Rng(seed, `subset-${ds.split ?? ''}`).shuffle(idx);
  return subsetDataset(ds, idx.slice(0, n).sort((a, b) => a - b));
}

/** Loads (or takes) the data set, holds out the validation images, and applies the limits. */
export function prepareRunData(o: RunDataOptions, onNote?: (message: string) => void): RunData {
  const pair = typeof o.dataset === 'string'
    ? loadDataset(o.dataset, { dir: o.dataDir, onProgress: (p) => onNote?.(p.message), ...(o.syntheticShape ? { synthetic: o.syntheticShape } : {}) })
    : o.dataset;
  const split = splitValidation(pair.train, o.valSplit ?? defaultValidationSize(pair.train.length), o.seed);
  return {
    name: pair.train.name,
    train: limitDataset(split.train, o.trainLimit, o.seed),
    val: split.val,
    test: limitDataset(pair.test, o.testLimit, o.seed),
    valIndices: split.valIndices,
  };
}

/** The run folder's record of the hold-out: `validation-split.json`. */
export function writeValidationRecord(out: string, data: RunData, seed: number): string {
  const file = path.join(out, 'validation-split.json');
  const record = {
    dataset: data.name, seed, size: data.valIndices.length,
    rule: 'class-stratified hold-out of the training set: per class, the first of a seeded shuffle (splitValidation in src/data/validation-split.ts)',
    indices: data.valIndices,
  };
  writeFileAtomic(file, `${JSON.stringify(record)}\n`);
  return file;
}

/** Refuses to resume a run whose recorded hold-out differs from the one `data` holds (other data or settings). */
export function checkValidationRecord(out: string, data: RunData): void {
  const file = path.join(out, 'validation-split.json');
  if (!fs.existsSync(file)) return; // runs from before the record existed
  const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as { indices?: number[] };
  const same = Array.isArray(rec.indices) && rec.indices.length === data.valIndices.length && rec.indices.every((v, i) => v === data.valIndices[i]);
  if (!same) throw new RunDataError(`the validation images of ${out} (${file}) differ from the ones this data set and --val-split/--seed give; resume with the run's own data and settings`);
}
