// Flags several commands share: the training option schema's own entries (src/train/train-options.ts),
// so their help and defaults agree with `crsam train` and the library; and how the analysis
// commands (analyze, landscape) load their data and models from those flags.
import { Dataset, DatasetPair, loadDataset } from '../data';
import { OptionValues } from '../core/option-schema';
import { ANALYZE_OPTIONS, ResolvedGeometryModel, datasetBatches } from '../geometry';
import { Batch } from '../runtime/batch';
import { TRAIN_OPTIONS } from '../train/train-options';
import { DataShape } from '../train/run-data';
import { resolveGeometryModel, syntheticShapeFor } from '../train/geometry-model';
import { checkModelSpec } from '../train/restore';
import { ProgressBar } from './progress';

export const DATA_FLAGS = { data: TRAIN_OPTIONS.data, 'data-dir': TRAIN_OPTIONS['data-dir'] } as const;

export const DEVICE_FLAGS = { device: TRAIN_OPTIONS.device, threads: TRAIN_OPTIONS.threads } as const;

/** `loadDataset`'s synthetic shape for a command that analyzes `spec`: the model's, so its images fit. */
function syntheticFor(data: string, spec: string): { synthetic?: DataShape } {
  const shape = data === 'synthetic' ? syntheticShapeFor(spec) : undefined;
  return shape ? { synthetic: shape } : {};
}

/** The data flags of an analysis command (its --split: either). */
type AnalysisDataFlags = Pick<OptionValues<typeof DATA_FLAGS & typeof ANALYZE_OPTIONS>, 'data' | 'data-dir' | 'samples' | 'batch-size' | 'seed'> & { readonly split: 'train' | 'test' };

/**
 * The data set of an analysis command (loaded once, for the first model's shape when it is
 * synthetic; its messages printed above the progress bar), and a loader of each model with its
 * fixed batches of a split (default: the --split one, --samples images).
 */
export function analysisData(f: AnalysisDataFlags, specs: readonly string[], bar: ProgressBar, print: (line: string) => void): {
  pair: DatasetPair; load(spec: string): { model: ResolvedGeometryModel; batches(from?: Dataset, samples?: number): Batch[] };
} {
  // A mistyped model path is reported before the data set is read (which takes seconds).
  specs.forEach(checkModelSpec);
  const pair = loadDataset(f.data, { dir: f['data-dir'], onProgress: (p) => { bar.clear(); print(p.message); }, ...syntheticFor(f.data, specs[0]) });
  const split = pair[f.split];
  const shape = { channels: split.channels, height: split.height, numClasses: split.numClasses };
  return {
    pair,
    load: (s) => {
      const model = resolveGeometryModel(s, shape);
      const inputName = model.artifacts.dataInputs[0].name;
      return { model, batches: (from = split, samples = f.samples) => datasetBatches(from, pair.train, { samples, batchSize: f['batch-size'], seed: f.seed, inputName }) };
    },
  };
}
