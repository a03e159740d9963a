// What the analyzed model and data are: a Model or live weights (a Trainer) as artifacts plus
// weights; and fixed, copied batches of a data set split.
import { buildArtifacts, TrainingArtifacts } from '../autodiff/artifacts';
import { DEFAULT_INPUT, Dataset, LoaderBatch, Rng, evalLoader, subsetDataset } from '../data';
import { Model } from '../onnx/ir';
import { Batch } from '../runtime/batch';
import { GeometryError } from './errors';
import { ANALYZE_OPTIONS } from './geometry-options';

/**
 * A model to analyze: a loaded Model (its initializers are the weights), anything that holds
 * artifacts and current weights (a Trainer), or what resolveGeometryModel returned. Files and run
 * folders are resolved by train/'s resolveGeometryModel, the one run-folder resolver.
 */
export type GeometryModel = Model | WeightSource | ResolvedGeometryModel;

/** Artifacts with live weights, such as a Trainer's. */
export interface WeightSource {
  readonly artifacts: TrainingArtifacts;
  /** Parameter values by name (every trainable parameter). */
  parameters(): ReadonlyMap<string, Float32Array>;
  /** BatchNorm running statistics by name. */
  buffers(): ReadonlyMap<string, Float32Array>;
}

export interface ResolvedGeometryModel {
  readonly artifacts: TrainingArtifacts;
  /** Parameter values by name (every trainable parameter). */
  readonly params: ReadonlyMap<string, Float32Array>;
  /** BatchNorm running statistics by name. */
  readonly buffers: ReadonlyMap<string, Float32Array>;
  /** How to name the model in reports. */
  readonly label: string;
}

/** The artifacts and weights of a Model (its initializers). */
export function geometryModelOf(model: Model, label: string): ResolvedGeometryModel {
  const artifacts = buildArtifacts(model);
  const params = new Map(artifacts.params.map((p) => [p.name, artifacts.initialValues.get(p.name) as Float32Array]));
  const buffers = new Map(artifacts.buffers.map((p) => [p.name, artifacts.initialValues.get(p.name) as Float32Array]));
  return { artifacts, params, buffers, label };
}

/** Artifacts and weights of what analyzeGeometry and analyzeLandscape accept. */
export function geometryWeights(model: GeometryModel): ResolvedGeometryModel {
  if ('params' in model) return model;
  if ('parameters' in model) return { artifacts: model.artifacts, params: model.parameters(), buffers: model.buffers(), label: 'trainer' };
  return geometryModelOf(model, model.graph.name || 'model');
}

export interface SampleOptions {
  /** Use this many images (a seeded random subset, as `crsam train --train-limit`); 0 or more than the split: all. Default: all. */
  readonly samples?: number;
  /** Images per batch. Default: 128. */
  readonly batchSize?: number;
  /** Seed of the subset. Default: 0. */
  readonly seed?: number;
  /** Name of the model's data input. Default: 'input'. */
  readonly inputName?: string;
}

/**
 * Fixed batches of `split`, normalized with the statistics of `train` (as the training run saw its
 * test set) and not augmented; every batch owns its arrays.
 */
export function datasetBatches(split: Dataset, train: Dataset, options: SampleOptions = {}): Batch[] {
  const batchSize = options.batchSize ?? ANALYZE_OPTIONS['batch-size'].default;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new GeometryError(`the batch size must be a whole number ≥ 1, got ${batchSize}`);
  let ds = split;
  const n = options.samples ?? 0;
  if (n > 0 && n < split.length) {
    const idx = Array.from({ length: split.length }, (_, i) => i);
    new Rng(options.seed ?? 0, `geometry-subset-${split.split ?? ''}`).shuffle(idx);
    ds = subsetDataset(split, idx.slice(0, n).sort((a, b) => a - b));
  }
  return Array.from(evalLoader(ds, train, batchSize).batches(options.inputName ?? DEFAULT_INPUT), ownCopy);
}

/** The batch with arrays of its own (the loader reuses its buffers). */
function ownCopy(b: LoaderBatch): Batch {
  const inputs = Object.fromEntries(Object.entries(b.inputs).map(([k, t]) => [k, { data: Float32Array.from(t.data), dims: [...t.dims] }]));
  return { inputs, labels: BigInt64Array.from(b.labels) };
}
