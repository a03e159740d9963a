// Run checkpoints: parameters, buffers, optimizer state, schedule position, loader/RNG state and
// the run config in one crsam tensor file (see onnx/tensor-file.ts), written atomically.
import { OptimizerState } from '../optim/types';
import { TrainerState } from './trainer';
import { CheckpointError, StoredTensor, readTensorFile, writeTensorFile } from '../onnx/tensor-file';

export interface RunCheckpoint {
  readonly trainer: TrainerState;
  /** Epochs completed. */
  readonly epoch: number;
  /** Everything else the loop needs to continue (config, loader state, history, best). */
  readonly meta: Record<string, unknown>;
}

export function saveRunCheckpoint(path: string, ckpt: RunCheckpoint): void {
  const t = ckpt.trainer;
  const tensors: StoredTensor[] = [];
  for (const [name, data] of t.params) tensors.push({ name, group: 'param', dims: [data.length], data });
  for (const [name, data] of t.buffers) tensors.push({ name, group: 'buffer', dims: [data.length], data });
  const opt = t.optimizer;
  const optMeta: Record<string, unknown> = { kind: opt.kind, step: opt.step };
  if (opt.kind === 'sgd') {
    if (opt.momentumBuffer) tensors.push({ name: 'momentum', group: 'optimizer', dims: [opt.momentumBuffer.length], data: opt.momentumBuffer });
  } else {
    tensors.push({ name: 'exp_avg', group: 'optimizer', dims: [opt.expAvg.length], data: opt.expAvg });
    tensors.push({ name: 'exp_avg_sq', group: 'optimizer', dims: [opt.expAvgSq.length], data: opt.expAvgSq });
  }
  writeTensorFile(path, { meta: { ...ckpt.meta, kind: 'run', epoch: ckpt.epoch, stepCount: t.stepCount, optimizer: optMeta }, tensors });
}

export function loadRunCheckpoint(path: string): RunCheckpoint {
  const f = readTensorFile(path);
  if (f.meta.kind !== 'run') throw new CheckpointError(`${path} is not a training-run checkpoint (it holds ${String(f.meta.kind)})`);
  const opt = f.meta.optimizer as { kind?: unknown; step?: unknown } | undefined;
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!opt || (opt.kind !== 'sgd' && opt.kind !== 'adamw') || !count(opt.step) || !count(f.meta.stepCount) || !count(f.meta.epoch)) {
    throw new CheckpointError(`${path} has damaged run settings (optimizer, step or epoch); use another checkpoint or start again`);
  }
  const group = (g: string) => new Map(f.tensors.filter((t) => t.group === g).map((t) => [t.name, t.data as Float32Array]));
  const o = group('optimizer');
  const step = opt.step as number;
  // Missing optimizer tensors stay undefined here; checkCheckpointFits refuses them, naming them.
  const optimizer: OptimizerState = opt.kind === 'sgd'
    ? { kind: 'sgd', step, momentumBuffer: o.get('momentum') ?? null }
    : { kind: 'adamw', step, expAvg: o.get('exp_avg') as Float32Array, expAvgSq: o.get('exp_avg_sq') as Float32Array };
  return {
    trainer: { params: group('param'), buffers: group('buffer'), optimizer, stepCount: f.meta.stepCount as number },
    epoch: f.meta.epoch as number,
    meta: f.meta,
  };
}
