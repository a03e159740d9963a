// `crsam artifacts <model.onnx> --out <dir>`: the training, eval and inference graphs plus the
// initial parameters, runnable on any ONNX Runtime inference build.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildArtifacts, TrainingArtifacts } from '../autodiff/artifacts';
import { loadModel, saveModel } from '../onnx/io';
import { writeTensorFile } from '../train/checkpoint-file';
import { CommandSpec, Parsed } from './args';

export const artifactsSpec: CommandSpec = {
  name: 'artifacts',
  summary: 'write training_model.onnx, eval_model.onnx, inference_model.onnx and the initial parameters',
  usage: 'crsam artifacts <model.onnx> --out <dir> [--frozen a,b] [--label-smoothing 0.1]',
  positionals: ['model.onnx'],
  flags: {
    out: { type: 'string', alias: 'o', arg: 'DIR', help: 'folder to write the artifacts into (created if missing)', default: 'artifacts' },
    frozen: { type: 'list', arg: 'A,B', help: 'initializer names to keep fixed (no gradient)', default: [] },
    'label-smoothing': { type: 'number', arg: 'EPS', help: 'label smoothing of the cross-entropy loss, in [0, 1)', default: 0 },
    'external-data': { type: 'bool', help: 'store weights of the three graphs in .data files next to them (for models over ~1 GB)', default: false },
  },
};

export interface ArtifactsResult {
  readonly dir: string;
  readonly files: string[];
  readonly artifacts: TrainingArtifacts;
}

/** Writes the artifacts of `modelPath` into `dir`; shared by the CLI and the library. */
export function writeArtifacts(modelPath: string, dir: string, options: { frozen?: string[]; labelSmoothing?: number; externalData?: boolean }): ArtifactsResult {
  const model = loadModel(modelPath);
  const artifacts = buildArtifacts(model, { frozen: options.frozen, labelSmoothing: options.labelSmoothing });
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const save = (name: string, m: typeof model) => {
    const file = path.join(dir, name);
    saveModel(m, file, options.externalData ? { externalData: `${name}.data` } : {});
    files.push(file);
  };
  save('training_model.onnx', artifacts.trainingModel);
  save('eval_model.onnx', artifacts.evalModel);
  save('inference_model.onnx', artifacts.inferenceModel);
  const ckpt = path.join(dir, 'initial.ckpt');
  writeTensorFile(ckpt, {
    meta: { kind: 'initial', source: path.basename(modelPath) },
    tensors: [
      ...artifacts.params.map((p) => ({ name: p.name, group: 'param', dims: p.dims, data: artifacts.initialValues.get(p.name) as Float32Array })),
      ...artifacts.buffers.map((p) => ({ name: p.name, group: 'buffer', dims: p.dims, data: artifacts.initialValues.get(p.name) as Float32Array })),
    ],
  });
  files.push(ckpt);
  const manifest = path.join(dir, 'artifacts.json');
  fs.writeFileSync(manifest, JSON.stringify({
    format: 1,
    source: path.basename(modelPath),
    numClasses: artifacts.numClasses,
    logits: artifacts.logits,
    dataInputs: artifacts.dataInputs.map((v) => ({ name: v.name, shape: v.shape })),
    params: artifacts.params,
    buffers: artifacts.buffers,
    unusedParams: artifacts.unusedParams,
    labelSmoothing: options.labelSmoothing ?? 0,
  }, null, 2));
  files.push(manifest);
  return { dir, files, artifacts };
}

export function runArtifacts(args: Parsed, print: (line: string) => void): number {
  const dir = args.flags.out as string;
  const r = writeArtifacts(args.positionals[0], dir, {
    frozen: args.flags.frozen as string[],
    labelSmoothing: args.flags['label-smoothing'] as number,
    externalData: args.flags['external-data'] as boolean,
  });
  const nParams = r.artifacts.params.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0);
  print(`${r.artifacts.params.length} trainable tensors (${nParams.toLocaleString('en-US')} parameters), ${r.artifacts.buffers.length} BatchNorm buffers, ${r.artifacts.numClasses} classes`);
  if (r.artifacts.unusedParams.length) print(`note: the loss does not depend on ${r.artifacts.unusedParams.join(', ')}; their gradient is zero`);
  for (const f of r.files) print(`wrote ${f}`);
  return 0;
}
