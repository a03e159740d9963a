// `crsam landscape`: the loss landscape around a trained model (Li et al. 2018, the paper's
// Fig. 4): data as JSON and CSV, pictures as SVG and PNG.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LANDSCAPE_OPTIONS, LANDSCAPE_RESOLUTION, analyzeLandscape, writeLandscape } from '../geometry';
import { CommandSpec, Parsed, checkRanges } from './args';
import { OptionSchema } from '../core/option-schema';
import { ProgressBar } from './progress';
import { DATA_FLAGS, DEVICE_FLAGS, analysisData } from './common-flags';

const FLAGS = { ...DATA_FLAGS, ...LANDSCAPE_OPTIONS, ...DEVICE_FLAGS } as const satisfies OptionSchema;

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
    const { model, batches: batchesOf } = analysisData(f, [spec], bar, print).load(spec);
    const batches = batchesOf();
    const dims = f['1d'] ? 1 : 2;
    const resolution = f.resolution ?? LANDSCAPE_RESOLUTION[dims];
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
  } finally {
    bar.clear();
  }
}
