// `crsam eval`, `crsam export` and `crsam models`.
import * as path from 'node:path';
import { buildArtifacts, withValues } from '../autodiff/artifacts';
import { DEFAULT_EVAL_BATCH_SIZE, loadDataset } from '../data';
import { saveModel } from '../onnx/io';
import { evaluateModel } from '../train/evaluate';
import { restoreModel } from '../train/restore';
import { ZOO, buildZooModel, countParameters, estimateForwardCost, zooEntry } from '../zoo';
import { CommandSpec, Parsed, UsageError, checkRanges } from './args';
import { OptionSchema } from '../core/option-schema';
import { DATA_FLAGS, DEVICE_FLAGS } from './common-flags';

const EVAL_FLAGS = {
  ...DATA_FLAGS,
  split: { type: 'string', group: 'data', help: 'which split to evaluate', choices: ['test', 'train'], default: 'test' },
  'batch-size': { type: 'int', group: 'data', above: 0, help: 'images per batch', default: DEFAULT_EVAL_BATCH_SIZE },
  ...DEVICE_FLAGS,
} as const satisfies OptionSchema;

export const evalSpec: CommandSpec<typeof EVAL_FLAGS> = {
  name: 'eval',
  summary: 'evaluate a model, a run folder or a checkpoint on a data set (loss and accuracy)',
  usage: 'crsam eval <model.onnx | run folder | file.ckpt> [--data fashion-mnist] [--split test]',
  positionals: ['model'],
  flags: EVAL_FLAGS,
};

export async function runEval(args: Parsed<typeof EVAL_FLAGS>, print: (line: string) => void): Promise<number> {
  const { model, source } = restoreModel(args.positionals[0]);
  checkRanges(evalSpec.flags, args.flags);
  const bs = args.flags['batch-size'];
  const pair = loadDataset(args.flags.data, { dir: args.flags['data-dir'] });
  const r = await evaluateModel(model, pair, args.flags.split, bs, { device: args.flags.device, threads: args.flags.threads || undefined });
  print(`${source} on ${args.flags.data} ${args.flags.split} (${r.count} images): loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.accuracy).toFixed(2)}%`);
  return 0;
}

const EXPORT_FLAGS = {
  out: { type: 'string', group: 'output', alias: 'o', arg: 'FILE', help: 'where to write the inference model', default: 'model.onnx' },
  'external-data': { type: 'bool', group: 'output', help: 'store the weights in FILE.data next to the model (for models over ~1 GB)', default: false },
} as const satisfies OptionSchema;

export const exportSpec: CommandSpec<typeof EXPORT_FLAGS> = {
  name: 'export',
  summary: 'write the deployable inference ONNX model (BatchNorm in inference mode, weights baked in)',
  usage: 'crsam export <run folder | file.ckpt | model.onnx> -o model.onnx',
  positionals: ['source'],
  flags: EXPORT_FLAGS,
};

export function runExport(args: Parsed<typeof EXPORT_FLAGS>, print: (line: string) => void): number {
  const { model, source } = restoreModel(args.positionals[0]);
  const art = buildArtifacts(model);
  const out = args.flags.out;
  saveModel(withValues(art.inferenceModel, art.initialValues), out, args.flags['external-data'] ? { externalData: `${path.basename(out)}.data` } : {});
  print(`wrote ${out} (inference mode, from ${source})`);
  return 0;
}

const MODELS_FLAGS = {
  out: { type: 'string', group: 'output', alias: 'o', arg: 'FILE', help: 'output file of models export', default: 'model.onnx' },
  'input-size': { type: 'int', group: 'model', help: "input height and width (default: the model's)" },
  channels: { type: 'int', group: 'model', help: "input channels (default: the model's)" },
  classes: { type: 'int', group: 'model', help: "number of classes (default: the model's)" },
  seed: { type: 'int', group: 'model', help: 'seed of the weight initialization', default: 0 },
} as const satisfies OptionSchema;

export const modelsSpec: CommandSpec<typeof MODELS_FLAGS> = {
  name: 'models',
  summary: "list the model zoo, or 'models export <name> -o file.onnx' to write one",
  usage: 'crsam models [export <name> -o model.onnx [--input-size 32] [--channels 3] [--classes 10] [--seed 0]]',
  positionals: ['action?', 'name?'],
  flags: MODELS_FLAGS,
};

export function runModels(args: Parsed<typeof MODELS_FLAGS>, print: (line: string) => void): number {
  const [action, name] = args.positionals;
  if (!action) {
    print(`${'name'.padEnd(20)} ${'parameters'.padStart(12)} ${'GFLOPs'.padStart(8)}  description`);
    for (const e of Object.values(ZOO)) {
      const m = e.build({ initialize: false });
      const n = countParameters(m).parameters;
      const cost = estimateForwardCost(m, 1);
      print(`${e.name.padEnd(20)} ${n.toLocaleString('en-US').padStart(12)} ${cost.gflops.toFixed(3).padStart(8)}  ${e.description}`);
    }
    print('GFLOPs: one forward pass of one image at the default input (2 × multiply-adds)');
    return 0;
  }
  if (action !== 'export') throw new UsageError(`unknown action '${action}'; use 'crsam models' or 'crsam models export <name> -o file.onnx'`);
  if (!name) throw new UsageError("'crsam models export' needs a model name; run 'crsam models' for the list");
  let entry;
  try { entry = zooEntry(name); } catch (e) { throw new UsageError((e as Error).message); }
  const model = buildZooModel(entry.name, {
    inputSize: args.flags['input-size'], channels: args.flags.channels,
    numClasses: args.flags.classes, seed: args.flags.seed,
  });
  saveModel(model, args.flags.out);
  print(`wrote ${String(args.flags.out)} (${name}, ${countParameters(model).parameters.toLocaleString('en-US')} parameters)`);
  return 0;
}
