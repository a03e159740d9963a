// The study folder: `study.json` (what the grid is, written once), and one ordinary run folder
// per cell under `runs/`. A cell's state is read from its run folder alone, so a study killed at
// any moment continues where it stopped: finished runs are kept, interrupted ones resume from
// their last checkpoint, and the rest start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file';
import { CrsamError } from '../core/errors';
import { GridAxis, GridCell, expandGrid } from './grid';

export class StudyError extends CrsamError {
  override readonly name = 'StudyError';
}

/** What `study.json` holds. */
export interface StudyDefinition {
  readonly format: 1;
  /** When the study was created (ISO 8601). */
  readonly created: string;
  /** The command line that created it, for the report. */
  readonly command: readonly string[];
  /** Flags every run shares (as `crsam train` flags, values as strings). */
  readonly shared: Readonly<Record<string, string>>;
  /** The grid's axes, e.g. optimizer and seed. */
  readonly axes: readonly GridAxis[];
  /** Per-optimizer flags of a preset (e.g. SAM's ρ differs from CR-SAM's), applied under the user's flags. */
  readonly perOptimizer?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The preset the study started from, if any. */
  readonly preset?: string;
  /** Test images for the Table 3 figures of each final model; 0 skips them. */
  readonly geometrySamples: number;
  /** Grid points per axis of a 2-D loss landscape around each treatment's first-seed model (the paper's Fig. 4); 0 or absent: none. */
  readonly landscapeResolution?: number;
}

export type CellState = 'done' | 'partial' | 'new';

const STUDY_FILE = 'study.json';

export function runDir(studyDir: string, cell: GridCell): string {
  return path.join(studyDir, 'runs', cell.name);
}

/** The study's cells with the preset's per-optimizer flags applied under the shared and axis flags. */
export function studyCells(def: StudyDefinition): GridCell[] {
  return expandGrid(def.shared, def.axes).map((c) => {
    const preset = def.perOptimizer?.[c.flags.optimizer ?? ''] ?? {};
    const flags: Record<string, string> = { ...preset, ...c.flags };
    // A flag the user gave for the whole study wins over the preset's per-optimizer value.
    for (const k of Object.keys(def.shared)) flags[k] = def.shared[k];
    for (const [k, v] of Object.entries(c.axes)) flags[k] = v;
    return { ...c, flags };
  });
}

export function readStudy(studyDir: string): StudyDefinition {
  const file = path.join(studyDir, STUDY_FILE);
  if (!fs.existsSync(file)) throw new StudyError(`${studyDir} is not a study folder (it has no ${STUDY_FILE}); start one with 'crsam compare --study ${studyDir} ...'`);
  let def: StudyDefinition;
  try {
    def = JSON.parse(fs.readFileSync(file, 'utf8')) as StudyDefinition;
  } catch {
    throw new StudyError(`${file} is not valid JSON; restore it or start a new study in another folder`);
  }
  if (def.format !== 1 || !Array.isArray(def.axes) || typeof def.shared !== 'object' || def.shared === null) {
    throw new StudyError(`${file} is not a study definition this crsam can read; start a new study in another folder`);
  }
  return def;
}

/** Creates the study folder; refuses a folder that already holds a study (resume it instead). */
export function createStudy(studyDir: string, def: StudyDefinition): void {
  const file = path.join(studyDir, STUDY_FILE);
  if (fs.existsSync(file)) throw new StudyError(`${studyDir} already holds a study; continue it with 'crsam compare --resume ${studyDir}' or choose another --study folder`);
  fs.mkdirSync(path.join(studyDir, 'runs'), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(def, null, 2)}\n`);
}

interface SummaryFile {
  readonly interrupted?: boolean;
  readonly stopped?: string;
}

/** Whether a cell's run finished, stopped with a checkpoint to resume from, or has not started. */
export function cellState(dir: string): CellState {
  const summary = path.join(dir, 'summary.json');
  if (fs.existsSync(summary)) {
    try {
      const s = JSON.parse(fs.readFileSync(summary, 'utf8')) as SummaryFile;
      if (!s.interrupted && !s.stopped) return 'done';
    } catch {
      // A half-written summary means the run did not finish; its checkpoint decides below.
    }
  }
  return fs.existsSync(path.join(dir, 'checkpoints', 'last.ckpt')) ? 'partial' : 'new';
}

/** Where a run's landscape data goes (what `crsam landscape --out <dir>/landscape` writes). */
export function landscapeFile(dir: string): string {
  return path.join(dir, 'landscape', 'landscape.json');
}

/** Rewrites study.json (atomically), e.g. when a resume adds the landscapes. */
export function updateStudy(studyDir: string, def: StudyDefinition): void {
  const file = path.join(studyDir, STUDY_FILE);
  writeFileAtomic(file, `${JSON.stringify(def, null, 2)}\n`);
}

/** The file the geometry of a finished run is written to (what `crsam analyze --split test` writes). */
export function geometryFile(dir: string): string {
  return path.join(dir, 'geometry-test.json');
}
