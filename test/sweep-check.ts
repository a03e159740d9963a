// Builds our training graph for one sweep model (tools/torchvision_sweep.py), runs it once on the
// recorded batch and compares loss and gradients with PyTorch's float64 truth, beside PyTorch
// float32's own error. Shared by tools/torchvision-sweep.ts and test/autodiff/torchvision-sweep.test.ts.
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../src/autodiff/artifacts';
import { UnsupportedOpsError } from '../src/autodiff/unsupported-ops';
import { loadModel, serializeModel } from '../src/onnx/io';
import { SweepFixture } from './sweep-fixture';

/** Ops whose rules other engineers are writing now (issue 13): a model that needs them is "in progress". */
export const IN_PROGRESS_OPS: ReadonlySet<string> = new Set([
  'HardSwish', 'HardSigmoid', 'Selu', 'Elu', 'Celu', 'Mish', 'Softplus', 'Softsign', 'PRelu', 'ThresholdedRelu',
  'Sin', 'Cos', 'CumSum', 'ReduceL2', 'ReduceLogSumExp', 'ReduceProd', 'Max', 'Min', 'Mean', 'TopK', 'Resize',
  'Einsum', 'LSTM', 'GRU', 'RNN', 'InstanceNormalization', 'GroupNormalization',
]);

/** A pass: our gradient error is within FACTOR of PyTorch float32's own (or under FLOOR). */
export const FACTOR = 10;
export const FLOOR = 1e-6;

export type SweepStatus = 'pass' | 'kink' | 'fail' | 'needs' | 'error';

export interface SweepResult {
  readonly model: string;
  readonly opset: number;
  readonly status: SweepStatus;
  /** The reason for needs/error/fail, one line. */
  readonly note: string;
  readonly buildSeconds: number;
  /** ||g_ours - g64|| / ||g64|| over all parameters together. */
  readonly gradErr: number;
  readonly lossErr: number;
  readonly torch32GradErr: number;
  readonly kinkNear: number;
  readonly kinkCrossed32: number;
}

export async function checkSweepModel(fx: SweepFixture): Promise<SweepResult> {
  const m = fx.manifest;
  const base = { model: m.model, opset: m.opset, torch32GradErr: m.scalars.torch32GradErr, kinkNear: m.scalars.kinkNear, kinkCrossed32: m.scalars.kinkCrossed32 };
  const t0 = Date.now();
  let art;
  try {
    art = buildArtifacts(loadModel(fx.modelPath));
  } catch (e) {
    const buildSeconds = (Date.now() - t0) / 1000;
    if (e instanceof UnsupportedOpsError) {
      const ops = e.ops.map((o) => o.opType);
      const mine = ops.every((o) => IN_PROGRESS_OPS.has(o));
      return { ...base, status: mine ? 'needs' : 'error', note: `${mine ? 'needs' : 'no rule for'} ${ops.join(', ')}${mine ? ' (in progress)' : ''}`, buildSeconds, gradErr: NaN, lossErr: NaN };
    }
    return { ...base, status: 'error', note: (e as Error).message.slice(0, 200), buildSeconds, gradErr: NaN, lossErr: NaN };
  }
  const buildSeconds = (Date.now() - t0) / 1000;
  const session = await ort.InferenceSession.create(serializeModel(art.trainingModel), { logSeverityLevel: 3 });
  const x = fx.tensor('input');
  const y = fx.tensor('labels');
  const feeds: Record<string, ort.Tensor> = {
    [art.dataInputs[0].name]: x.data instanceof BigInt64Array ? new ort.Tensor('int64', x.data, x.dims) : new ort.Tensor('float32', Float32Array.from(x.data as Float32Array), x.dims),
    labels: new ort.Tensor('int64', y.data as BigInt64Array, y.dims),
  };
  for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
  const out = await session.run(feeds);
  await session.release();
  let num = 0;
  let den = 0;
  const ours = new Set(art.params.map((p) => p.name));
  const missing = m.params.filter((p) => !ours.has(p));
  if (missing.length) return { ...base, status: 'error', note: `parameters not trained: ${missing.slice(0, 3).join(', ')}`, buildSeconds, gradErr: NaN, lossErr: NaN };
  for (const p of m.params) {
    const g = out[`${p}_grad`].data as Float32Array;
    const t = fx.tensor(`grad64/${p}`).data as Float64Array;
    for (let i = 0; i < t.length; i++) { num += (g[i] - t[i]) ** 2; den += t[i] ** 2; }
  }
  const gradErr = den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
  const lossErr = Math.abs((out.loss.data[0] as number) - m.scalars.loss64) / Math.abs(m.scalars.loss64);
  const tol = Math.max(FACTOR * m.scalars.torch32GradErr, FLOOR);
  const kinks = m.scalars.kinkNear + m.scalars.kinkCrossed32 > 0;
  const status: SweepStatus = gradErr <= tol ? 'pass' : kinks ? 'kink' : 'fail';
  const note = status === 'kink' ? `${m.scalars.kinkNear} ReLU inputs within 1e-5·max of a kink` : status === 'fail' ? `gradient error ${gradErr.toExponential(1)} > ${tol.toExponential(1)}` : '';
  return { ...base, status, note, buildSeconds, gradErr, lossErr };
}
