// The paper's settings as presets: JSON files in the package's `presets/` folder, one per
// (data set, model), each naming its source. A preset holds the flags every optimizer shares and
// the ones that differ per optimizer (the paper tunes ρ separately for SAM and CR-SAM), so
// `crsam train --preset X --optimizer sam` and `crsam compare --preset X` read the same file.
// Flags the user gives override the preset's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrsamError } from '../core/errors';

export class PresetError extends CrsamError {
  override readonly name = 'PresetError';
}

export type PresetValue = string | number | boolean;

export interface Preset {
  readonly name: string;
  /** Where the settings come from (paper, table). */
  readonly source: string;
  /** `crsam train` flags (names without dashes) every optimizer shares. */
  readonly flags: Readonly<Record<string, PresetValue>>;
  /** Extra flags per optimizer (`sgd`, `sam`, `crsam`, ...). */
  readonly optimizers: Readonly<Record<string, Readonly<Record<string, PresetValue>>>>;
}

/** The folder of the package's presets (next to package.json, from src/ and from dist/src/). */
function presetsDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'presets'))) return path.join(dir, 'presets');
    if (path.dirname(dir) === dir) throw new PresetError('the presets folder of this crsam installation is missing; reinstall crsam');
  }
}

export function presetNames(): string[] {
  return fs.readdirSync(presetsDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

function isFlagMap(v: unknown): v is Record<string, PresetValue> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => ['string', 'number', 'boolean'].includes(typeof x));
}

/** A preset by name (or the path of a preset file written in the same format). */
export function loadPreset(nameOrFile: string): Preset {
  const file = nameOrFile.endsWith('.json') ? nameOrFile : path.join(presetsDir(), `${nameOrFile}.json`);
  if (!fs.existsSync(file)) throw new PresetError(`there is no preset '${nameOrFile}'; the presets are: ${presetNames().join(', ')}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new PresetError(`the preset file ${file} is not valid JSON`);
  }
  const p = raw as Partial<Preset>;
  if (typeof p.name !== 'string' || typeof p.source !== 'string' || !isFlagMap(p.flags) || !p.optimizers || typeof p.optimizers !== 'object' || !Object.values(p.optimizers).every(isFlagMap)) {
    throw new PresetError(`the preset file ${file} must hold name, source, flags and optimizers (flag maps); see the files in ${presetsDir()}`);
  }
  return p as Preset;
}

/** The preset's flags for one optimizer: the shared ones, then that optimizer's. */
export function presetFlags(preset: Preset, optimizer: string): Record<string, PresetValue> {
  return { ...preset.flags, ...(preset.optimizers[optimizer] ?? {}), optimizer };
}
