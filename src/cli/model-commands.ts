// `crsam eval`, `crsam export` and `crsam models`.
import * as path from 'node:path';
import { buildArtifacts, withValues } from '../autodiff/artifacts';
import { loadDataset } from '../data';
import { saveModel } from '../onnx/io';
import { evaluateModel } from '../train/evaluate';
import { restoreModel } from '../train/restore';
import { ZOO, buildZooModel, countParameters, estimateForwardCost, zooEntry } from '../zoo';
import { CommandSpec, Parsed, UsageError, checkRanges } from './args';
import { DEFAULT_EVAL_BATCH_SIZE } from '../train/train-options';
import { DATA_FLAGS, DEVICE_FLAGS } from './common-flags';

export const evalSpec: CommandSpec = {
  name: 'eval',
  summary: 'evaluate a model, a run folder or a checkpoint on a data set (loss and accuracy)',
  usage: 'crsam eval <model.onnx | run folder | file.ckpt> [--data fashion-mnist] [--split test]',
  positionals: ['model'],
  flags: {
    ...DATA_FLAGS,
    split: { type: 'string', group: 'data', help: 'which split to evaluate', choices: ['test', 'train'], default: 'test' },
    'batch-size': { type: 'int', group: 'data', above: 0, help: 'images per batch', default: DEFAULT_EVAL_BATCH_SIZE },
    ...DEVICE_FLAGS,
  },
};

export async function runEval(args: Parsed, print: (line: string) => void): Promise<number> {
  const { model, source } = restoreModel(args.positionals[0]);
  checkRanges(evalSpec.flags, args.flags);
  const bs = args.flags['batch-size'] as number;
  const pair = loadDataset(args.flags.data as string, { dir: args.flags['data-dir'] as string | undefined });
  const r = await evaluateModel(model, pair, args.flags.split as 'test', bs, { device: args.flags.device as 'cpu', threads: (args.flags.threads as number) || undefined });
  print(`${source} on ${args.flags.data} ${args.flags.split} (${r.count} images): loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.accuracy).toFixed(2)}%`);
  return 0;
}

export const exportSpec: CommandSpec = {
  name: 'export',
  summary: 'write the deployable inference ONNX model (BatchNorm in inference mode, weights baked in)',
  usage: 'crsam export <run folder | file.ckpt | model.onnx> -o model.onnx',
  positionals: ['source'],
  flags: {
    out: { type: 'string', group: 'output', alias: 'o', arg: 'FILE', help: 'where to write the inference model', default: 'model.onnx' },
    'external-data': { type: 'bool', group: 'output', help: 'store the weights in FILE.data next to the model (for models over ~1 GB)', default: false },
  },
};

export function runExport(args: Parsed, print: (line: string) => void): number {
  const { model, source } = restoreModel(args.positionals[0]);
  const art = buildArtifacts(model);
  const out = args.flags.out as string;
  saveModel(withValues(art.inferenceModel, art.initialValues), out, args.flags['external-data'] ? { externalData: `${path.basename(out)}.data` } : {});
  print(`wrote ${out} (inference mode, from ${source})`);
  return 0;
}

export const modelsSpec: CommandSpec = {
  name: 'models',
  summary: "list the model zoo, or 'models export <name> -o file.onnx' to write one",
  usage: 'crsam models [export <name> -o model.onnx [--input-size 32] [--channels 3] [--classes 10] [--seed 0]]',
  positionals: ['action?', 'name?'],
  flags: {
    out: { type: 'string', group: 'output', alias: 'o', arg: 'FILE', help: 'output file of models export', default: 'model.onnx' },
    'input-size': { type: 'int', group: 'model', help: "input height and width (default: the model's)" },
    channels: { type: 'int', group: 'model', help: "input channels (default: the model's)" },
    classes: { type: 'int', group: 'model', help: "number of classes (default: the model's)" },
    seed: { type: 'int', group: 'model', help: 'seed of the weight initialization', default: 0 },
  },
};

export function runModels(args: Parsed, print: (line: string) => void): number {
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
    inputSize: args.flags['input-size'] as number | undefined, channels: args.flags.channels as number | undefined,
    numClasses: args.flags.classes as number | undefined, seed: args.flags.seed as number,
  });
  saveModel(model, args.flags.out as string);
  print(`wrote ${String(args.flags.out)} (${name}, ${countParameters(model).parameters.toLocaleString('en-US')} parameters)`);
  return 0;
}
