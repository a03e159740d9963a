// `crsam compare`: a grid of ordinary training runs (optimizers × seeds, and any other
// `crsam train` flag given as a comma-separated list), each in its own run folder of one study
// folder, resumable run by run; then the study's report (docs/compare.md).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPreset, presetNames } from '../train/presets';
import {
  GridAxis, StudyDefinition, buildReport, cellState, createStudy, readCellResult, readLandscape, readStudy, runDir, runStudy, studyCells, updateStudy, writeReport,
} from '../study';
import { CommandSpec, FlagSpec, Parsed, UsageError, checkRanges, convert } from './args';
import { processExecutor } from './compare-executor';
import { trainSpec } from './train-command';
import { TRAIN_OPTIONS } from '../train/train-options';

/** Train flags a study sets per cell itself, or that make no sense in a grid. */
const NOT_GRID_FLAGS = new Set(['out', 'resume', 'config', 'threads', 'preset', 'overwrite']);
const GRID_DEFAULTS: Record<string, string> = { optimizer: 'sgd,sam,crsam', seed: '0,1,2' };

/** `crsam train`'s flags, looked up by name. */
const TRAIN_FLAGS: Readonly<Record<string, FlagSpec>> = trainSpec.flags;

function gridFlags(): Record<string, FlagSpec> {
  const flags: Record<string, FlagSpec> = {};
  for (const [name, f] of Object.entries(TRAIN_FLAGS)) {
    if (NOT_GRID_FLAGS.has(name)) continue;
    const list = f.type !== 'list' && f.type !== 'bool' ? '; a comma-separated list makes a grid axis' : '';
    flags[name] = { type: 'string', group: f.group, arg: f.arg, help: `${f.help} (as crsam train${list})`, choices: undefined, default: GRID_DEFAULTS[name] };
  }
  return flags;
}

const OWN_FLAGS: Record<string, FlagSpec> = {
  study: { type: 'string', group: 'study', arg: 'DIR', help: 'the study folder (default: studies/<model>-<data>-<date>)' },
  resume: { type: 'string', group: 'study', arg: 'DIR', help: 'continue the study in DIR where it stopped (its grid is the one it was started with)' },
  report: { type: 'string', group: 'study', arg: 'DIR', help: 'only rebuild the report of the study in DIR from its finished runs' },
  preset: { type: 'string', group: 'config', arg: 'NAME', help: "start from the paper's settings for a data set and model (crsam compare --preset list shows them); flags override it" },
  jobs: { type: 'int', group: 'study', min: 1, help: 'runs at once (each gets an equal share of the threads)', default: 1 },
  threads: { type: 'int', group: 'device', min: 0, help: 'CPU threads for all runs together (0 = all cores)', default: 0 },
  landscape: { type: 'int', group: 'study', min: 0, arg: 'N', help: "a 2-D loss landscape (N×N grid) around each treatment's first-seed model, drawn side by side on one colour scale (the paper's Fig. 4; 0 = none; may be added with --resume)", default: 0 },
  'analyze-samples': { type: 'int', group: 'study', min: 0, help: "test images for each final model's ‖∇L‖, Tr(H), C(w) and λ_max (the paper's Table 3; 0 = skip)", default: 1000 },
};

export const compareSpec: CommandSpec = {
  name: 'compare',
  summary: 'compare optimizers (and any other settings) over seeds: a grid of runs and a report with confidence intervals',
  usage: 'crsam compare [--model M] [--data D] [--optimizer sgd,sam,crsam] [--seed 0,1,2] [--epochs N] [--rho 0.05,0.1] [--study DIR] | --resume DIR | --report DIR',
  flags: { ...gridFlags(), ...OWN_FLAGS },
};

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Checks each value of a (possibly comma-separated) flag as `crsam train` would. */
function splitValues(name: string, raw: string): string[] {
  const spec = TRAIN_FLAGS[name];
  const values = spec.type === 'list' ? [raw] : raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!values.length) throw new UsageError(`--${name} needs at least one value`);
  if (new Set(values).size !== values.length) throw new UsageError(`--${name} lists a value twice (${raw})`);
  for (const v of values) {
    convert(name, spec, v);
    if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, not '${v}'`);
  }
  return values;
}

function defineStudy(args: Parsed, argv: readonly string[]): StudyDefinition {
  const preset = args.flags.preset ? loadPreset(args.flags.preset as string) : undefined;
  const shared: Record<string, string> = {};
  if (preset) for (const [k, v] of Object.entries(preset.flags)) shared[k] = String(v);
  const axes: GridAxis[] = [];
  for (const name of Object.keys(gridFlags())) {
    const raw = args.flags[name];
    if (raw === undefined || (!args.given.has(name) && !(name in GRID_DEFAULTS))) continue;
    const values = splitValues(name, String(raw));
    if (values.length > 1) axes.push({ flag: name, values });
    else shared[name] = values[0];
  }
  // Optimizer first and seed last, so cells read "crsam-seed1" and treatments group together.
  axes.sort((a, b) => (a.flag === 'optimizer' ? -1 : b.flag === 'optimizer' ? 1 : a.flag === 'seed' ? 1 : b.flag === 'seed' ? -1 : 0));
  const perOptimizer = preset ? Object.fromEntries(Object.entries(preset.optimizers).map(([o, f]) => [o, Object.fromEntries(Object.entries(f).map(([k, v]) => [k, String(v)]))])) : undefined;
  return {
    format: 1, created: new Date().toISOString(), command: ['crsam', 'compare', ...argv], shared, axes,
    ...(perOptimizer ? { perOptimizer } : {}), ...(preset ? { preset: preset.name } : {}),
    geometrySamples: args.flags['analyze-samples'] as number,
    ...(args.flags.landscape ? { landscapeResolution: args.flags.landscape as number } : {}),
  };
}

function title(def: StudyDefinition): string {
  const cells = studyCells(def);
  const model = cells[0]?.flags.model ?? TRAIN_OPTIONS.model.default;
  const data = cells[0]?.flags.data ?? TRAIN_OPTIONS.data.default;
  const axes = def.axes.map((a) => `${a.values.length} ${a.flag === 'seed' ? 'seeds' : a.flag === 'optimizer' ? 'optimizers' : `${a.flag} values`}`).join(' × ');
  return `crsam compare: ${model} on ${data}${axes ? `, ${axes}` : ''}`;
}

function report(studyDir: string, def: StudyDefinition, print: (line: string) => void): void {
  const cells = studyCells(def);
  const done = cells.filter((c) => cellState(runDir(studyDir, c)) === 'done');
  const missing = cells.filter((c) => !done.includes(c)).map((c) => c.name);
  const landscapes = done.map((c) => readLandscape(c, runDir(studyDir, c))).filter((l) => l !== undefined);
  const files = writeReport(studyDir, buildReport(cells, done.map((c) => readCellResult(c, runDir(studyDir, c))), missing), title(def), landscapes);
  print(`report: ${files.join(', ')}`);
}

export async function runCompare(args: Parsed, print: (line: string) => void, argv: readonly string[] = []): Promise<number> {
  const f = args.flags;
  if (f.preset === 'list') { print(presetNames().join('\n')); return 0; }
  checkRanges(OWN_FLAGS, f);
  if (f.landscape === 1) throw new UsageError('--landscape needs at least 2 grid points per axis (or 0 for none)');
  if (f.report) {
    report(f.report as string, readStudy(f.report as string), print);
    return 0;
  }
  let studyDir: string;
  let def: StudyDefinition;
  if (f.resume) {
    const grid = [...args.given].filter((k) => k in gridFlags() || k === 'preset' || k === 'study');
    if (grid.length) throw new UsageError(`--resume continues a study with the grid it was started with, so ${grid.map((k) => `--${k}`).join(', ')} cannot be given with it`);
    studyDir = f.resume as string;
    def = readStudy(studyDir);
    // Landscapes only add pictures of finished models, so a resume may ask for them.
    if (args.given.has('landscape')) {
      def = { ...def, landscapeResolution: f.landscape as number };
      updateStudy(studyDir, def);
    }
  } else {
    def = defineStudy(args, argv);
    const first = studyCells(def)[0]?.flags ?? {};
    studyDir = (f.study as string | undefined) ?? path.join('studies', `${path.basename(first.model ?? TRAIN_OPTIONS.model.default, '.onnx')}-${first.data ?? TRAIN_OPTIONS.data.default}-${stamp()}`);
    createStudy(studyDir, def);
  }
  const cells = studyCells(def);
  print(`study ${studyDir}: ${cells.length} runs (${def.axes.map((a) => `${a.flag} ${a.values.join(',')}`).join('; ') || 'one setting'}), ${f.jobs as number} at a time`);
  const started = Date.now();
  let finished = 0;
  const result = await runStudy(studyDir, def, processExecutor(studyDir), { jobs: f.jobs as number, threads: f.threads as number, cores: os.availableParallelism() }, {
    onCell: (cell, what) => { if (what !== 'skip') print(`  ${cell.name}: ${{ analyze: 'geometry on the test set', landscape: 'loss landscape', resume: 'resuming', train: 'training' }[what]}`); },
    onCellDone: (cell, s) => { finished++; print(`  ${cell.name}: done (${finished}/${cells.length}${s > 1 ? `, ${s.toFixed(0)} s` : ', already finished'})`); },
    onCellFailed: (cell, m) => print(`  ${cell.name}: failed: ${m}`),
  });
  report(studyDir, def, print);
  print(`${result.done.length} of ${cells.length} runs finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (result.failed.length) {
    process.stderr.write(`crsam: ${result.failed.length} run(s) failed (${result.failed.map((x) => x.cell).join(', ')}); fix the cause and continue with 'crsam compare --resume ${studyDir}'\n`);
    return 1;
  }
  return fs.existsSync(path.join(studyDir, 'report.md')) ? 0 : 1;
}
