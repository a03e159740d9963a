// Writes the training artifacts of a forward model into a folder: the three graphs, the initial
// parameters (a crsam tensor file, see onnx/tensor-file.ts) and a JSON manifest.
import { writeFileAtomic } from '../core/atomic-file';
import * as path from 'node:path';
import { buildArtifacts, TrainingArtifacts } from './artifacts';
import { loadModel, saveModel } from '../onnx/io';
import { writeTensorFile } from '../onnx/tensor-file';
import { makeOutputDirectory } from '../core/safe-fs';

export interface ArtifactsResult {
  readonly dir: string;
  readonly files: string[];
  readonly artifacts: TrainingArtifacts;
}

/** Writes the artifacts of `modelPath` into `dir`; shared by the CLI and the library. */
export function writeArtifacts(modelPath: string, dir: string, options: { frozen?: string[]; labelSmoothing?: number; externalData?: boolean; allowEvalExport?: boolean }): ArtifactsResult {
  const model = loadModel(modelPath);
  const artifacts = buildArtifacts(model, { frozen: options.frozen, labelSmoothing: options.labelSmoothing, allowEvalExport: options.allowEvalExport });
  makeOutputDirectory(dir);
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
  writeFileAtomic(manifest, JSON.stringify({
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
