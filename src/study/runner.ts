// Runs a study's cells: each one an ordinary training run (then, optionally, its Table 3
// geometry), at most `jobs` at a time. How a run is started is the caller's: the CLI starts
// `crsam train` processes, tests pass a fake. Cells that are done are skipped, so calling this
// again after an interruption finishes the study.
import * as fs from 'node:fs';
import { GridCell as Cell, treatmentOf } from './grid';
import { CellState, StudyDefinition, cellState, geometryFile, landscapeFile, runDir, studyCells } from './study-folder';

/** Starts the work of one cell; resolves when it finished, rejects with a one-sentence error. */
export interface StudyExecutor {
  /** Trains the cell in `dir`: from scratch (`new`) or from its last checkpoint (`partial`). */
  train(cell: Cell, dir: string, state: Exclude<CellState, 'done'>, threads: number): Promise<void>;
  /** Computes the finished run's geometry on the test set into `geometryFile(dir)`. */
  analyze(cell: Cell, dir: string, samples: number, threads: number): Promise<void>;
  /** Computes a 2-D loss landscape around the finished run's model into `landscapeFile(dir)`. */
  landscape(cell: Cell, dir: string, resolution: number, threads: number): Promise<void>;
}

export interface StudyRunOptions {
  /** Runs at once. Default: 1. */
  readonly jobs?: number;
  /** CPU threads for all runs together; each run gets an equal share. Default: 0 (all cores). */
  readonly threads?: number;
  /** Cores of the machine (for the share when `threads` is 0). */
  readonly cores: number;
}

export interface StudyEvents {
  onCell?(cell: Cell, what: 'train' | 'resume' | 'analyze' | 'landscape' | 'skip'): void;
  onCellDone?(cell: Cell, seconds: number): void;
  onCellFailed?(cell: Cell, message: string): void;
}

export interface StudyRunResult {
  readonly done: readonly string[];
  readonly failed: readonly { readonly cell: string; readonly message: string }[];
}

export async function runStudy(studyDir: string, def: StudyDefinition, executor: StudyExecutor, options: StudyRunOptions, events: StudyEvents = {}): Promise<StudyRunResult> {
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const total = options.threads && options.threads > 0 ? options.threads : options.cores;
  const threads = Math.max(1, Math.floor(total / jobs));
  const cells = studyCells(def);
  const queue = [...cells];
  // Fig. 4 shows one landscape per treatment: its first seed's model.
  const withLandscape = new Set<string>();
  const treatments = new Set<string>();
  for (const c of cells) {
    if (treatments.has(treatmentOf(c))) continue;
    treatments.add(treatmentOf(c));
    withLandscape.add(c.name);
  }
  const done: string[] = [];
  const failed: { cell: string; message: string }[] = [];

  const work = async (cell: Cell): Promise<void> => {
    const dir = runDir(studyDir, cell);
    const started = Date.now();
    const state = cellState(dir);
    if (state !== 'done') {
      events.onCell?.(cell, state === 'partial' ? 'resume' : 'train');
      await executor.train(cell, dir, state, threads);
      if (cellState(dir) !== 'done') throw new Error(`the run in ${dir} ended without finishing`);
    }
    if (def.geometrySamples > 0 && !fs.existsSync(geometryFile(dir))) {
      events.onCell?.(cell, 'analyze');
      await executor.analyze(cell, dir, def.geometrySamples, threads);
    } else if (state === 'done') {
      events.onCell?.(cell, 'skip');
    }
    const resolution = def.landscapeResolution ?? 0;
    if (resolution > 0 && withLandscape.has(cell.name) && !fs.existsSync(landscapeFile(dir))) {
      events.onCell?.(cell, 'landscape');
      await executor.landscape(cell, dir, resolution, threads);
    }
    done.push(cell.name);
    events.onCellDone?.(cell, (Date.now() - started) / 1000);
  };

  const lane = async (): Promise<void> => {
    for (let cell = queue.shift(); cell; cell = queue.shift()) {
      try {
        await work(cell);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        failed.push({ cell: cell.name, message });
        events.onCellFailed?.(cell, message);
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  return { done, failed };
}
