// The steps of a training run after its setup (run.ts): resuming from last.ckpt, the epochs (their
// steps, possibly continuing a partial epoch), per-epoch validation, geometry, checkpoints and
// plots, and the summary with the test report at the end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file';
import { faultPoint } from '../core/fault-hook';
import { DataLoader, LoaderState, evalLoader } from '../data';
import { datasetBatches } from '../geometry/sources';
import { EvalResult } from '../runtime/eval-session';
import { RunCheckpoint, loadRunCheckpoint, saveRunCheckpoint } from './checkpoint';
import { writeCurves, writeGeometryCurves } from './curves';
import { GeometryTracker, geometryMetrics } from './geometry-tracker';
import { EpochRecord, MetricsLog } from './metrics-log';
import type { ResolvedRunOptions, RunEvents, RunSummary, TestReport } from './run';
import type { RunData } from './run-data';
import { finishRunRecord } from './run-record';
import { Trainer, TrainingError } from './trainer';

/** Everything the steps of a run share; `progress` is what a checkpoint carries. */
export interface RunContext {
  readonly o: ResolvedRunOptions;
  readonly events: RunEvents;
  readonly signal: AbortSignal | undefined;
  readonly trainer: Trainer;
  readonly loaders: { readonly train: DataLoader; readonly test: DataLoader };
  readonly data: RunData;
  readonly stepsPerEpoch: number;
  readonly evalBatchSize: number;
  readonly lastPath: string;
  readonly bestPath: string;
  readonly log: MetricsLog;
  readonly progress: Progress;
  tracker?: GeometryTracker;
}

export interface Progress {
  history: EpochRecord[];
  stepLosses: [number, number][];
  best: { epoch: number; accuracy: number };
  startEpoch: number;
  /** Sums over the current epoch's steps so far (a resumed epoch continues them). */
  partial: { lossSum: number; correct: number; count: number; seconds: number };
  lastLr: number;
}

/** How the epochs ended: `interrupted` by the signal, or `stopped` by a training error's message. */
export interface Outcome {
  readonly interrupted: boolean;
  readonly stopped?: string;
}

export function freshProgress(o: ResolvedRunOptions): Progress {
  return { history: [], stepLosses: [], best: { epoch: -1, accuracy: NaN }, startEpoch: 0, partial: emptyPartial(), lastLr: o.lr };
}

function emptyPartial(): Progress['partial'] {
  return { lossSum: 0, correct: 0, count: 0, seconds: 0 };
}

/** Resume: the trainer, the loader and the progress continue from last.ckpt. */
export function resumeProgress(c: RunContext, ck: RunCheckpoint): void {
  const p = c.progress;
  c.trainer.setState(ck.trainer);
  c.loaders.train.setState(ck.meta.loader as LoaderState);
  p.history = (ck.meta.history as EpochRecord[]) ?? [];
  // Runs from before epochs were counted from 1 (their first record is epoch 0) are renumbered.
  if (p.history[0]?.epoch === 0) p.history = p.history.map((r) => ({ ...r, epoch: r.epoch + 1 }));
  p.stepLosses = (ck.meta.stepLosses as [number, number][]) ?? [];
  p.best = (ck.meta.best as Progress['best']) ?? p.best;
  p.partial = (ck.meta.partial as Progress['partial']) ?? p.partial;
  p.startEpoch = c.loaders.train.epoch;
  c.log.truncateTo(c.trainer.stepCount, p.history.length);
  c.events.onNote?.(`resuming ${c.o.out} at epoch ${p.startEpoch + 1}, step ${c.trainer.stepCount}`);
}

function saveCheckpoint(c: RunContext, file: string, epoch: number): void {
  const p = c.progress;
  saveRunCheckpoint(file, {
    trainer: c.trainer.getState(), epoch,
    meta: { config: c.o.config, loader: c.loaders.train.getState(), history: p.history, stepLosses: p.stepLosses, best: p.best, partial: p.partial, replicas: c.trainer.dataParallel },
  });
}

export async function trainEpochs(c: RunContext): Promise<Outcome> {
  const p = c.progress;
  for (let epoch = p.startEpoch; epoch < c.o.epochs; epoch++) {
    const t0 = Date.now() - p.partial.seconds * 1000;
    const steps = await trainSteps(c, epoch, t0);
    if (steps.stopped) return steps;
    p.partial.seconds = (Date.now() - t0) / 1000;
    // Interrupted mid-epoch: save where we are. On an epoch's last step, finish the epoch first.
    if (steps.interrupted && c.loaders.train.epoch === epoch) { saveCheckpoint(c, c.lastPath, epoch); return steps; }
    await endEpoch(c, epoch);
    if (steps.interrupted) return steps;
  }
  return { interrupted: false };
}

/** Partial epochs: the epoch's remaining steps, from where the loader stands (`t0`: when the epoch began). */
async function trainSteps(c: RunContext, epoch: number, t0: number): Promise<Outcome> {
  const { o, trainer, progress: p } = c;
  let batchIndex = Math.round(p.partial.count / o.batchSize);
  for await (const batch of c.loaders.train.prefetch(trainer.dataInputs[0].name)) {
    let m;
    try {
      m = await trainer.step(batch);
      p.lastLr = m.lr;
    } catch (e) {
      if (e instanceof TrainingError) return { interrupted: false, stopped: e.message };
      throw e;
    }
    p.partial.lossSum += m.loss * m.count;
    p.partial.correct += m.correct;
    p.partial.count += m.count;
    batchIndex++;
    faultPoint('step', 'done');
    p.stepLosses.push([m.stepIndex + 1, m.loss]);
    const secs = (Date.now() - t0) / 1000;
    c.log.step({ epoch: epoch + 1, step: m.stepIndex, lr: m.lr, loss: m.loss, lossPlus: m.lossPlus, lossMinus: m.lossMinus, gradNorm: m.gradNorm, curvature: m.curvature, slope: m.slope, accuracy: m.correct / m.count });
    c.events.onStep?.({ epoch: epoch + 1, epochs: o.epochs, batch: batchIndex, batches: c.stepsPerEpoch, loss: p.partial.lossSum / p.partial.count, accuracy: p.partial.correct / p.partial.count, imagesPerSecond: p.partial.count / Math.max(secs, 1e-9), lr: m.lr });
    if (c.signal?.aborted) return { interrupted: true };
  }
  return { interrupted: false };
}

/** A finished epoch: validation, its record (with the geometry), best/last checkpoints, plots. */
async function endEpoch(c: RunContext, epoch: number): Promise<void> {
  const { o, progress: p, data: { val } } = c;
  const ev = val ? await evaluateOn(c.trainer, c.loaders.test, (done, total) => c.events.onEvaluate?.({ epoch: epoch + 1, split: 'val', done, total })) : undefined;
  const rec: EpochRecord = {
    epoch: epoch + 1, step: c.trainer.stepCount, lr: p.lastLr,
    trainLoss: p.partial.lossSum / p.partial.count, trainAccuracy: p.partial.correct / p.partial.count,
    valLoss: ev?.loss ?? NaN, valAccuracy: ev?.accuracy ?? NaN, seconds: p.partial.seconds, imagesPerSecond: p.partial.count / Math.max(p.partial.seconds, 1e-9),
  };
  if (o.trackGeometry) (rec as { extra?: Record<string, number> }).extra = await epochGeometry(c, epoch);
  p.history.push(rec);
  c.log.epoch(rec);
  // Selection on validation only; ties keep the earlier epoch.
  const isBest = !!ev && !(ev.accuracy <= p.best.accuracy);
  if (isBest && ev) p.best = { epoch: epoch + 1, accuracy: ev.accuracy };
  p.partial = emptyPartial();
  // best before last: a crash between the two resumes from the previous last.ckpt and redoes
  // this epoch, which rewrites the same best.ckpt; never a best.ckpt older than last.ckpt says.
  if (isBest) saveCheckpoint(c, c.bestPath, epoch + 1);
  saveCheckpoint(c, c.lastPath, epoch + 1);
  c.events.onEpoch?.(rec, isBest);
  writePlots(c);
}

/** Geometry: measured every `trackGeometry` epochs; NaN in between, so every epoch has the same CSV columns. */
async function epochGeometry(c: RunContext, epoch: number): Promise<Record<string, number>> {
  const { o, trainer, data: { val, test, train } } = c;
  if ((epoch + 1) % o.trackGeometry !== 0) return geometryMetrics();
  const geoSet = val ?? test;
  c.events.onNote?.(`measuring the geometry (‖g‖, Tr(H), λ_max, C(w)) on ${Math.min(o.geometrySamples, geoSet.length)} ${val ? 'validation' : 'test'} images`);
  c.tracker ??= GeometryTracker.create(trainer, { threads: o.trainer.threads, seed: o.seed });
  return geometryMetrics(await c.tracker.measure(datasetBatches(geoSet, train, { samples: o.geometrySamples, batchSize: o.batchSize, inputName: trainer.dataInputs[0].name, seed: o.seed })));
}

function writePlots(c: RunContext): void {
  const { o, progress: p } = c;
  writeCurves(o.out, `${o.modelName} on ${c.data.name}`, p.history, p.stepLosses, c.stepsPerEpoch);
  if (o.trackGeometry) writeGeometryCurves(o.out, `${o.modelName} on ${c.data.name}: geometry (${c.data.val ? 'validation' : 'test'} set)`, p.history);
}

/** Summary: the export, the test report (only after training), summary.json and the run record. */
export async function finishRun(c: RunContext, { interrupted, stopped }: Outcome): Promise<RunSummary> {
  const { o, trainer, data: { val, test, train }, progress: { history, best } } = c;
  const files: Record<string, string> = {
    metrics: path.join(o.out, 'metrics.jsonl'), csv: path.join(o.out, 'metrics.csv'),
    curvesSvg: path.join(o.out, 'curves.svg'), curvesPng: path.join(o.out, 'curves.png'),
    lastCheckpoint: c.lastPath, bestCheckpoint: c.bestPath,
  };
  if (!val) delete files.bestCheckpoint;
  if (!stopped) {
    files.model = path.join(o.out, 'model.onnx');
    trainer.exportInference(files.model);
  }
  await c.tracker?.close();
  // The test set, read once, after training: it reports and never chooses.
  // A run resumed from before best.ckpt was chosen on validation may have none: then only the final model.
  const bestSource = !val ? undefined : best.epoch === o.epochs ? 'final' : fs.existsSync(c.bestPath) ? c.bestPath : undefined;
  const testReport = !stopped && !interrupted ? await reportOnTest(trainer, evalLoader(test, train, c.evalBatchSize), bestSource,
    (done, total) => c.events.onEvaluate?.({ epoch: o.epochs, split: 'test', done, total })) : undefined;
  const summary: RunSummary = { out: o.out, epochs: history, bestEpoch: best.epoch, bestValAccuracy: best.accuracy, ...(testReport ? { test: testReport } : {}), interrupted, stopped, files };
  files.summary = path.join(o.out, 'summary.json');
  writeFileAtomic(files.summary, JSON.stringify({ ...summary, config: o.config, finalStep: trainer.stepCount }, null, 2));
  finishRunRecord(o.out, stopped ? 'stopped' : interrupted ? 'interrupted' : 'finished', { finalStep: trainer.stepCount, stopped: stopped ?? null }, testReport ? test : undefined);
  return summary;
}

/** Mean loss and accuracy over a loader's batches, reporting batches done. */
async function evaluateOn(trainer: Trainer, loader: DataLoader, onBatch: (done: number, total: number) => void): Promise<EvalResult> {
  const input = trainer.dataInputs[0].name;
  const total = loader.batchesPerEpoch;
  onBatch(0, total);
  const batches = (function* () {
    let done = 0;
    for (const b of loader.batches(input)) { yield b; onBatch(++done, total); }
  })();
  return trainer.evaluate(batches);
}

/**
 * The test loss and accuracy of the trainer's (final) model and of best.ckpt (`best`: its path,
 * 'final' when the last epoch was the best, or undefined without a validation set). Loading
 * best.ckpt leaves the trainer holding its weights, so this comes after the final model's export.
 */
async function reportOnTest(trainer: Trainer, loader: DataLoader, best: string | 'final' | undefined, onBatch: (done: number, total: number) => void): Promise<{ final: TestReport; best?: TestReport }> {
  const asReport = (r: EvalResult): TestReport => ({ loss: r.loss, accuracy: r.accuracy, count: r.count });
  const final = asReport(await evaluateOn(trainer, loader, onBatch));
  if (best === undefined) return { final };
  if (best === 'final') return { final, best: final };
  const ck = loadRunCheckpoint(best);
  trainer.loadParameters(new Map([...ck.trainer.params, ...ck.trainer.buffers]));
  return { final, best: asReport(await evaluateOn(trainer, loader, onBatch)) };
}
