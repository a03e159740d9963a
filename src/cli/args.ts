// A small, typed flag parser: every flag has a type, a default and a help line, so `--help`
// explains everything and a bad flag or value ends in one sentence.

import { CrsamError } from '../core/errors';

export type FlagType = 'string' | 'number' | 'int' | 'bool' | 'list';

export interface FlagSpec {
  readonly type: FlagType;
  readonly help: string;
  readonly default?: string | number | boolean | readonly string[];
  readonly choices?: readonly string[];
  /** Short alias, e.g. 'o' for -o. */
  readonly alias?: string;
  /** Placeholder shown in help, e.g. 'DIR'. */
  readonly arg?: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Names of positional arguments (the last may be optional when it ends in '?'). */
  readonly positionals?: readonly string[];
}

export class UsageError extends CrsamError {
  override readonly name = 'UsageError';
}

export type ParsedValue = string | number | boolean | string[] | undefined;

export interface Parsed {
  readonly positionals: string[];
  readonly flags: Record<string, ParsedValue>;
  /** Flags the user typed (as opposed to defaults), for config-file merging. */
  readonly given: Set<string>;
  readonly help: boolean;
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags: Record<string, ParsedValue> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  const aliases = new Map<string, string>();
  for (const [name, f] of Object.entries(spec.flags)) if (f.alias) aliases.set(f.alias, name);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { help = true; continue; }
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      let name = a.startsWith('--') ? a.slice(2) : aliases.get(a.slice(1)) ?? a.slice(1);
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
      const f = spec.flags[name];
      if (!f && name.startsWith('no-') && spec.flags[name.slice(3)]?.type === 'bool') {
        flags[name.slice(3)] = false; given.add(name.slice(3)); continue;
      }
      if (!f) throw new UsageError(`unknown flag ${a.split('=')[0]} for 'crsam ${spec.name}'; run 'crsam ${spec.name} --help' to see the flags`);
      if (f.type === 'bool') {
        flags[name] = value === undefined ? true : parseBool(name, value);
      } else {
        if (value === undefined) {
          value = argv[++i];
          if (value === undefined) throw new UsageError(`--${name} needs a value (${f.arg ?? f.type})`);
        }
        flags[name] = convert(name, f, value);
      }
      given.add(name);
    } else {
      positionals.push(a);
    }
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    if (!(name in flags) && f.default !== undefined) flags[name] = Array.isArray(f.default) ? [...f.default] : (f.default as ParsedValue);
  }
  const want = spec.positionals ?? [];
  if (!help) {
    const required = want.filter((p) => !p.endsWith('?')).length;
    if (positionals.length < required) throw new UsageError(`'crsam ${spec.name}' needs ${want.filter((p) => !p.endsWith('?')).map((p) => `<${p}>`).join(' ')}; usage: ${spec.usage}`);
    if (positionals.length > want.length) throw new UsageError(`unexpected argument '${positionals[want.length]}' for 'crsam ${spec.name}'; usage: ${spec.usage}`);
  }
  return { positionals, flags, given, help };
}

function parseBool(name: string, v: string): boolean {
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new UsageError(`--${name} takes true or false, not '${v}'`);
}

export function convert(name: string, f: FlagSpec, value: string): ParsedValue {
  switch (f.type) {
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not '${value}'`);
      return n;
    }
    case 'int': {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, not '${value}'`);
      return n;
    }
    case 'list':
      return value.split(',').map((s) => s.trim()).filter(Boolean);
    case 'bool':
      return parseBool(name, value);
    default:
      if (f.choices && !f.choices.includes(value)) throw new UsageError(`--${name} must be one of ${f.choices.join(', ')}, not '${value}'`);
      return value;
  }
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`crsam ${spec.name}: ${spec.summary}`, '', `usage: ${spec.usage}`, '', 'flags:'];
  for (const [name, f] of Object.entries(spec.flags)) {
    const left = `  ${f.alias ? `-${f.alias}, ` : ''}--${name}${f.type === 'bool' ? '' : ` ${f.arg ?? f.type.toUpperCase()}`}`;
    const dflt = f.default === undefined ? '' : ` (default: ${Array.isArray(f.default) ? f.default.join(',') || 'none' : String(f.default)})`;
    const choices = f.choices ? ` [${f.choices.join(' | ')}]` : '';
    lines.push(`${left.padEnd(34)} ${f.help}${choices}${dflt}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(32)} show this help`);
  return lines.join('\n');
}
