// A checkpoint must hold exactly the tensors the model and optimizer need: a missing parameter
// would silently restart from its initial value, a missing momentum from zero. Refused instead,
// in one sentence naming what is missing, extra or of the wrong size.
import { CheckpointError } from '../onnx/tensor-file';
import { RunCheckpoint } from './checkpoint';

export interface ExpectedState {
  /** Parameter name → element count. */
  readonly params: ReadonlyMap<string, number>;
  /** Buffer (BatchNorm statistics) name → element count. */
  readonly buffers: ReadonlyMap<string, number>;
  /** The run's base optimizer. */
  readonly base: 'sgd' | 'adamw';
  /** SGD momentum (0: no momentum buffer). */
  readonly momentum: number;
  /** Trainable scalars in all (the optimizer state's length). */
  readonly size: number;
}

/** Throws a CheckpointError when `ck` (read from `file`) does not fit `want`. */
export function checkCheckpointFits(file: string, ck: RunCheckpoint, want: ExpectedState): void {
  const missing: string[] = [];
  const extra: string[] = [];
  const wrong: string[] = [];
  const compare = (have: ReadonlyMap<string, Float32Array>, need: ReadonlyMap<string, number>, what: string) => {
    for (const [name, n] of need) {
      const v = have.get(name);
      if (!v) missing.push(`${what} '${name}'`);
      else if (v.length !== n) wrong.push(`${what} '${name}' (${v.length} values, the model has ${n})`);
    }
    for (const name of have.keys()) if (!need.has(name)) extra.push(`${what} '${name}'`);
  };
  compare(ck.trainer.params, want.params, 'parameter');
  compare(ck.trainer.buffers, want.buffers, 'buffer');
  const opt = ck.trainer.optimizer;
  if (opt.kind !== want.base) {
    throw new CheckpointError(`${file} holds ${opt.kind} optimizer state but this run uses ${want.base}; resume it with the optimizer it was trained with`);
  }
  const optTensor = (name: string, v: Float32Array | null | undefined, needed: boolean) => {
    if (!v) { if (needed) missing.push(`optimizer state '${name}'`); return; }
    if (!needed) extra.push(`optimizer state '${name}'`);
    else if (v.length !== want.size) wrong.push(`optimizer state '${name}' (${v.length} values, the model has ${want.size})`);
  };
  if (opt.kind === 'sgd') optTensor('momentum', opt.momentumBuffer, want.momentum !== 0 && opt.step > 0);
  else { optTensor('exp_avg', opt.expAvg, true); optTensor('exp_avg_sq', opt.expAvgSq, true); }
  const parts = [
    missing.length ? `it lacks ${list(missing)}` : '',
    extra.length ? `it holds ${list(extra)}, which this model does not have` : '',
    wrong.length ? `it has the wrong size for ${list(wrong)}` : '',
  ].filter(Boolean);
  if (parts.length) throw new CheckpointError(`${file} does not fit this run: ${parts.join('; ')}; it is damaged or belongs to another model`);
}

function list(items: string[]): string {
  return items.length <= 6 ? items.join(', ') : `${items.slice(0, 6).join(', ')} and ${items.length - 6} more`;
}
