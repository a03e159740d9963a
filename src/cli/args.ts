// The command line of a command: argv split by Node's own parser (node:util parseArgs), each
// value read, checked and defaulted by the command's option schema (src/core/option-schema.ts),
// so `--help`, config files and the library agree, and a bad flag or value ends in one sentence.
import { parseArgs as splitArgs } from 'node:util';
import { CrsamError } from '../core/errors';
import { OPTION_GROUPS, OptionSchema, OptionSpec, OptionValue, OptionValues, closestName, convertOption, formatDefault, rangeProblem } from '../core/option-schema';

/** One flag of a command: an option schema entry. */
export type FlagSpec = OptionSpec;

export interface CommandSpec<F extends OptionSchema = OptionSchema> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: F;
  /** Names of positional arguments (the last may be optional when it ends in '?'). */
  readonly positionals?: readonly string[];
}

export class UsageError extends CrsamError {
  override readonly name = 'UsageError';
}

export type ParsedValue = OptionValue | undefined;

export interface Parsed<F extends OptionSchema = OptionSchema> {
  readonly positionals: string[];
  /** Every flag's value: the user's, else its default (undefined for a flag without one). */
  readonly flags: OptionValues<F>;
  /** Flags the user typed (as opposed to defaults), for config-file merging. */
  readonly given: Set<string>;
  readonly help: boolean;
}

/** `raw` as flag `name` reads it, or a UsageError saying why it cannot. */
export function convert(name: string, f: FlagSpec, raw: string): OptionValue {
  const r = convertOption(`--${name}`, f, raw);
  if ('problem' in r) throw new UsageError(r.problem);
  return r.value;
}

/** Refuses the first value outside its flag's range (as the schema gives it), in one sentence. */
export function checkRanges(flags: OptionSchema, values: Readonly<Record<string, unknown>>): void {
  for (const [name, f] of Object.entries(flags)) {
    const problem = rangeProblem(`--${name}`, f, values[name], values);
    if (problem) throw new UsageError(problem);
  }
}

function unknownFlag(spec: CommandSpec, raw: string): UsageError {
  const guess = raw.startsWith('--') ? closestName(raw.slice(2), [...Object.keys(spec.flags), 'help']) : undefined;
  const hint = guess ? `did you mean --${guess}?` : `run 'crsam ${spec.name} --help' to see the flags`;
  return new UsageError(`unknown flag ${raw} for 'crsam ${spec.name}'; ${hint}`);
}

export function parseArgs<F extends OptionSchema>(spec: CommandSpec<F>, argv: readonly string[]): Parsed<F> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, f] of Object.entries(spec.flags)) options[name] = { type: f.type === 'bool' ? 'boolean' : 'string', ...(f.alias ? { short: f.alias } : {}) };
  // Not strict: unknown flags come back as tokens, so they are refused here with a suggestion.
  const { tokens } = splitArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, ParsedValue> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  for (const t of tokens) {
    if (t.kind === 'positional') { positionals.push(t.value); continue; }
    if (t.kind === 'option-terminator') continue;
    if (t.name === 'help') { help = true; continue; }
    const f: FlagSpec | undefined = spec.flags[t.name];
    const negated = t.name.startsWith('no-') ? t.name.slice(3) : undefined;
    if (!f && negated && spec.flags[negated]?.type === 'bool' && t.value === undefined) {
      flags[negated] = false;
      given.add(negated);
      continue;
    }
    if (!f) throw unknownFlag(spec, t.rawName);
    if (f.type === 'bool') {
      flags[t.name] = t.value === undefined ? true : convert(t.name, f, t.value);
    } else {
      if (t.value === undefined) throw new UsageError(`--${t.name} needs a value (${f.arg ?? f.type})`);
      flags[t.name] = convert(t.name, f, t.value);
    }
    given.add(t.name);
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    if (!(name in flags) && f.default !== undefined) flags[name] = Array.isArray(f.default) ? [...f.default] : f.default;
  }
  const want = spec.positionals ?? [];
  if (!help) {
    const required = want.filter((p) => !p.endsWith('?'));
    if (positionals.length < required.length) throw new UsageError(`'crsam ${spec.name}' needs ${required.map((p) => `<${p}>`).join(' ')}; usage: ${spec.usage}`);
    if (positionals.length > want.length) throw new UsageError(`unexpected argument '${positionals[want.length]}' for 'crsam ${spec.name}'; usage: ${spec.usage}`);
  }
  return { positionals, flags: flags as OptionValues<F>, given, help };
}

function helpLine(name: string, f: FlagSpec): string {
  const left = `  ${f.alias ? `-${f.alias}, ` : ''}--${name}${f.type === 'bool' ? '' : ` ${f.arg ?? f.type.toUpperCase()}`}`;
  const dflt = formatDefault(f);
  const choices = f.choices ? ` [${f.choices.join(' | ')}]` : '';
  return `${left.padEnd(34)} ${f.help}${choices}${dflt === undefined ? '' : ` (default: ${dflt})`}`;
}

/** A command's help: its flags under their groups (model, data, optimizer, ...), each with its default. */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`crsam ${spec.name}: ${spec.summary}`, '', `usage: ${spec.usage}`];
  for (const group of OPTION_GROUPS) {
    const entries = Object.entries(spec.flags).filter(([, f]) => f.group === group);
    if (!entries.length) continue;
    lines.push('', `${group}:`, ...entries.map(([name, f]) => helpLine(name, f)));
  }
  lines.push('', 'help:', `  ${'-h, --help'.padEnd(32)} show this help (also: crsam help ${spec.name})`);
  return lines.join('\n');
}
