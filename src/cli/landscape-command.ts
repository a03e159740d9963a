// `crsam landscape`: the loss landscape around a trained model (Li et al. 2018, the paper's
// Fig. 4): data as JSON and CSV, pictures as SVG and PNG.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../data';
import { GeometryError, analyzeLandscape, datasetBatches, writeLandscape } from '../geometry';
import { resolveGeometryModel } from '../train/geometry-model';
import { CommandSpec, Parsed, checkRanges } from './args';
import { OptionSchema } from '../core/option-schema';
import { DEFAULT_EVAL_BATCH_SIZE } from '../train/train-options';
import { ProgressBar } from './progress';
import { DATA_FLAGS, DEVICE_FLAGS, syntheticFor } from './common-flags';

const FLAGS = {
  ...DATA_FLAGS,
  split: { type: 'string', group: 'data', help: 'which split the loss is computed on', choices: ['train', 'test'], default: 'train' },
  samples: { type: 'int', group: 'data', min: 0, help: 'use this many images of the split (a seeded random subset; 0 = all)', default: 1000 },
  'batch-size': { type: 'int', group: 'data', min: 1, help: 'images per forward pass', default: DEFAULT_EVAL_BATCH_SIZE },
  range: { type: 'number', group: 'analysis', above: 0, help: 'the grid spans [-range, range] along each direction', default: 1 },
  resolution: { type: 'int', group: 'analysis', min: 2, help: 'grid points per axis (default 21 in 2-D, 51 with --1d)' },
  '1d': { type: 'bool', group: 'analysis', help: 'a 1-D slice along one direction instead of a 2-D surface', default: false },
  'bias-bn': { type: 'bool', group: 'analysis', help: 'also move biases and BatchNorm parameters (their direction is then the weights themselves, as Li et al.)', default: false },
  normalization: { type: 'string', group: 'analysis', help: 'direction scaling: filter-wise to the weights (Li et al.) or raw Gaussian', choices: ['filter', 'none'], default: 'filter' },
  seed: { type: 'int', group: 'run', help: 'seed of the directions and the image subset', default: 0 },
  title: { type: 'string', group: 'output', help: 'figure title (default: the model name)' },
  out: { type: 'string', group: 'output', alias: 'o', arg: 'DIR', help: 'output folder (default: <run folder>/landscape, else ./landscape)' },
  ...DEVICE_FLAGS,
} as const satisfies OptionSchema;

export const landscapeSpec: CommandSpec<typeof FLAGS> = {
  name: 'landscape',
  summary: 'plot the loss landscape around a model (filter-normalized random directions, Li et al. 2018)',
  usage: 'crsam landscape <model.onnx | run folder> [--data fashion-mnist] [--out DIR] [--range 1] [--resolution 21] [--1d] [...]',
  flags: FLAGS,
  positionals: ['model'],
};

export async function runLandscape(args: Parsed<typeof FLAGS>, print: (line: string) => void): Promise<number> {
  const f = args.flags;
  checkRanges(FLAGS, f);
  const spec = args.positionals[0];
  const bar = new ProgressBar(process.stderr);
  try {
    const pair = loadDataset(f.data, { dir: f['data-dir'], onProgress: (p) => { bar.clear(); print(p.message); }, ...syntheticFor(f.data, spec) });
    const split = pair[f.split];
    const model = resolveGeometryModel(spec, { channels: split.channels, height: split.height, numClasses: split.numClasses });
    const batches = datasetBatches(split, pair.train, { samples: f.samples, batchSize: f['batch-size'], seed: f.seed, inputName: model.artifacts.dataInputs[0].name });
    const dims = f['1d'] ? 1 : 2;
    const resolution = (f.resolution) ?? (dims === 2 ? 21 : 51);
    print(`landscape of ${model.label} on ${batches.reduce((s, b) => s + b.labels.length, 0)} ${f.split} images of ${f.data}: ${dims === 2 ? `${resolution}×${resolution}` : resolution} points over [-${f.range}, ${f.range}]${dims === 2 ? '²' : ''}`);
    const t0 = Date.now();
    const landscape = await analyzeLandscape({
      model, batches, dimensions: dims, range: f.range, resolution, seed: f.seed,
      includeBiasAndNorm: f['bias-bn'], normalization: f.normalization,
      device: f.device, threads: f.threads || undefined,
      onPoint: (done, total) => bar.update('landscape', done / total, `${done}/${total} points`),
    });
    bar.clear();
    const out = (f.out) ?? (fs.existsSync(spec) && fs.statSync(spec).isDirectory() ? path.join(spec, 'landscape') : 'landscape');
    const files = writeLandscape(landscape, out, { title: (f.title) ?? `${model.label} (${f.split} loss)` });
    const all = landscape.loss.flat().filter(Number.isFinite);
    print(`loss at the weights ${landscape.origin.loss.toFixed(4)} (accuracy ${(100 * landscape.origin.accuracy).toFixed(2)}%); over the grid ${Math.min(...all).toFixed(4)} … ${Math.max(...all).toFixed(4)}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    print(`data:  ${files.json}, ${files.csv}`);
    print(`plots: ${[files.contourPng, files.contourSvg, files.slicePng, files.sliceSvg].filter(Boolean).join(', ')}`);
    return 0;
  } catch (e) {
    bar.clear();
    if (e instanceof GeometryError) { process.stderr.write(`crsam: ${e.message}\n`); return 1; }
    throw e;
  } finally {
    bar.clear();
  }
}
