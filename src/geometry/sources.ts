// Where the analyzed model and data come from: an .onnx file, a `crsam train` run folder (its
// exported model.onnx, or its last checkpoint rebuilt from the run's config), a Model, or a live
// Trainer; and fixed, copied batches of a data set split.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildArtifacts, TrainingArtifacts } from '../autodiff/artifacts';
import { Batch as DataBatch, Dataset, DataLoader, Rng, evalAugmentation, subsetDataset } from '../data';
import { loadModel } from '../onnx/io';
import { Model } from '../onnx/ir';
import { Batch } from '../runtime/batch';
import { loadRunCheckpoint } from '../train/checkpoint';
import { ModelShape, isZooName, resolveModel } from '../train/model-source';
import { Trainer } from '../train/trainer';
import { GeometryError } from './errors';

/**
 * A model to analyze: an .onnx path or run folder, a loaded Model, a Trainer (its current
 * weights), or what resolveGeometryModel returned.
 */
export type GeometryModel = string | Model | Trainer | ResolvedGeometryModel;

export interface ResolvedGeometryModel {
  readonly artifacts: TrainingArtifacts;
  /** Parameter values by name (every trainable parameter). */
  readonly params: ReadonlyMap<string, Float32Array>;
  /** BatchNorm running statistics by name. */
  readonly buffers: ReadonlyMap<string, Float32Array>;
  /** How to name the model in reports. */
  readonly label: string;
}

function fromModel(model: Model, label: string): ResolvedGeometryModel {
  const artifacts = buildArtifacts(model);
  const params = new Map(artifacts.params.map((p) => [p.name, artifacts.initialValues.get(p.name) as Float32Array]));
  const buffers = new Map(artifacts.buffers.map((p) => [p.name, artifacts.initialValues.get(p.name) as Float32Array]));
  return { artifacts, params, buffers, label };
}

/**
 * Resolves what `crsam analyze` and `analyzeGeometry` accept. A run folder is read through its
 * model.onnx (what `crsam train --out DIR` exports at the end); a run without one (stopped before
 * the end) is rebuilt from run-config.json and checkpoints/last.ckpt, which needs the data set's
 * image shape and class count (`shape`).
 */
export function resolveGeometryModel(model: GeometryModel, shape?: ModelShape): ResolvedGeometryModel {
  if (model instanceof Trainer) {
    return { artifacts: model.artifacts, params: model.parameters(), buffers: model.buffers(), label: 'trainer' };
  }
  if (typeof model !== 'string') return 'artifacts' in model ? model : fromModel(model, model.graph.name || 'model');
  if (!fs.existsSync(model)) {
    // A zoo name gives the freshly initialized model (handy for comparisons with trained ones).
    if (isZooName(model) && shape) return fromModel(resolveModel(model, shape, 0), model);
    throw new GeometryError(`${model} does not exist; give an .onnx file or a folder written by 'crsam train --out'`);
  }
  if (!fs.statSync(model).isDirectory()) return fromModel(loadModel(model), path.basename(model));
  const exported = path.join(model, 'model.onnx');
  if (fs.existsSync(exported)) return fromModel(loadModel(exported), path.basename(path.resolve(model)));
  const ckpt = path.join(model, 'checkpoints', 'last.ckpt');
  const config = path.join(model, 'run-config.json');
  if (!fs.existsSync(ckpt) || !fs.existsSync(config)) throw new GeometryError(`${model} holds neither model.onnx nor checkpoints/last.ckpt with run-config.json; give an .onnx file or a folder written by 'crsam train --out'`);
  if (!shape) throw new GeometryError(`${model} has no model.onnx (the run did not finish); its checkpoint can be analyzed from the command line, which knows the data set ('crsam analyze ${model} --data ...')`);
  const cfg = JSON.parse(fs.readFileSync(config, 'utf8')) as { model?: string; seed?: number };
  if (typeof cfg.model !== 'string') throw new GeometryError(`${config} names no model`);
  const resolved = fromModel(resolveModel(cfg.model, shape, cfg.seed ?? 0), path.basename(path.resolve(model)));
  const state = loadRunCheckpoint(ckpt).trainer;
  const params = new Map(resolved.params);
  const buffers = new Map(resolved.buffers);
  for (const [name, v] of state.params) if (params.has(name)) params.set(name, v);
  for (const [name, v] of state.buffers) if (buffers.has(name)) buffers.set(name, v);
  for (const p of resolved.artifacts.params) if (!state.params.has(p.name)) throw new GeometryError(`${ckpt} has no value for parameter '${p.name}'; it belongs to another model`);
  return { ...resolved, params, buffers };
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
  const batchSize = options.batchSize ?? 128;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new GeometryError(`the batch size must be a whole number ≥ 1, got ${batchSize}`);
  let ds = split;
  const n = options.samples ?? 0;
  if (n > 0 && n < split.length) {
    const idx = Array.from({ length: split.length }, (_, i) => i);
    new Rng(options.seed ?? 0, `geometry-subset-${split.split ?? ''}`).shuffle(idx);
    ds = subsetDataset(split, idx.slice(0, n).sort((a, b) => a - b));
  }
  const loader = new DataLoader(ds, { batchSize, augment: { normalize: evalAugmentation(train).normalize } });
  return Array.from(loader.batches(), (b) => copyBatch(b, options.inputName ?? 'input'));
}

function copyBatch(b: DataBatch, input: string): Batch {
  return { inputs: { [input]: { data: Float32Array.from(b.inputs), dims: [...b.dims] } }, labels: BigInt64Array.from(b.labels) };
}
