// The first writes of a run, made only after every check has passed: on a new run the forward
// model, run-config.json and the run record (replacing an old run's files first when asked to
// overwrite); on a resume, the updated config and a line in resumes.jsonl.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeFolder, writeFileAtomic } from '../core/atomic-file';
import { Dataset } from '../data';
import { saveModel } from '../onnx/io';
import { Model } from '../onnx/ir';
import { changedSafeKeys, recordResume } from './resume-policy';
import { clearOldRun } from './run-folder';
import { RunParallelism, writeRunRecord } from './run-record';

export interface RunStart {
  readonly out: string;
  readonly resume: boolean;
  readonly overwrite: boolean;
  readonly config: Record<string, unknown>;
  /** The config recorded by the run being resumed ({} for a new run). */
  readonly recorded: Record<string, unknown>;
  readonly commandLine?: readonly string[];
  readonly dataset: string;
  readonly train: Dataset;
  readonly test: Dataset;
  readonly threads: number | null;
  readonly device: string;
  /** Data-parallel replicas and device placement, for the run record. */
  readonly parallelism?: RunParallelism;
  /** Where a resume continues from. */
  readonly fromStep: number;
  readonly fromEpoch: number;
}

/** Writes the run's first files (see the file comment). */
export function beginRunFiles(s: RunStart, model: Model): void {
  const record = () => writeRunRecord(s.out, { commandLine: s.commandLine, config: s.config, threads: s.threads, device: s.device, parallelism: s.parallelism, dataset: s.dataset, train: s.train, test: s.test });
  if (s.resume) {
    if (Object.keys(s.config).length) writeFileAtomic(path.join(s.out, 'run-config.json'), `${JSON.stringify({ ...s.recorded, ...s.config }, null, 2)}\n`);
    recordResume(s.out, { time: new Date().toISOString(), commandLine: s.commandLine, changed: changedSafeKeys(s.recorded, s.config), fromStep: s.fromStep, fromEpoch: s.fromEpoch });
    if (!fs.existsSync(path.join(s.out, 'run.json'))) record();
    return;
  }
  if (s.overwrite) clearOldRun(s.out);
  makeFolder(path.join(s.out, 'checkpoints'));
  saveModel(model, path.join(s.out, 'forward_model.onnx'));
  writeFileAtomic(path.join(s.out, 'run-config.json'), `${JSON.stringify(s.config, null, 2)}\n`);
  record();
}
