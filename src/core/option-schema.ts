// The shape of an option schema: each option's type, default, help line, group and valid range,
// declared once so a command line, its help, a config file and a library's defaults all read the
// same entry. Lowest layer on purpose: the training options (src/train) and the commands
// (src/cli) both build on it; the parsing of argv itself stays in src/cli.

/** How an option's text is read: 'int' is a whole number, 'list' a comma-separated list of strings. */
export type OptionType = 'string' | 'number' | 'int' | 'bool' | 'list';

/** Help sections, printed in this order. */
export const OPTION_GROUPS = ['model', 'data', 'optimizer', 'schedule', 'run', 'analysis', 'study', 'output', 'device', 'config'] as const;
export type OptionGroup = typeof OPTION_GROUPS[number];

export type OptionValue = string | number | boolean | readonly string[];

/** One option. `L` names the library field it sets (see src/train/train-options.ts). */
export interface OptionSpec<L extends string = string> {
  readonly type: OptionType;
  /** Help section. */
  readonly group: OptionGroup;
  /** One line of help: what the option does (its default and unit are added from the fields below). */
  readonly help: string;
  /** The value used when the option is omitted; absent when there is none or it is computed (then `defaultText` says how). */
  readonly default?: OptionValue;
  /** The default in words when it is not one value, e.g. '5e-4 (SGD) or 0.3 (AdamW)'. */
  readonly defaultText?: string;
  /** Unit of the value, shown after the default: 'epochs', 'images', 'pixels'. */
  readonly unit?: string;
  /** A list's items as the library takes them: 'number' turns '30,60' into [30, 60] (the command line keeps the strings). */
  readonly items?: 'number';
  /** The only values allowed (strings). */
  readonly choices?: readonly string[];
  /** Short alias: 'o' for -o. */
  readonly alias?: string;
  /** Placeholder in help: 'DIR'. Default: the type in capitals. */
  readonly arg?: string;
  /** Smallest allowed value (numbers). */
  readonly min?: number;
  /** The value must be above this (numbers). */
  readonly above?: number;
  /** The value must be below this (numbers). */
  readonly below?: number;
  /** The range applies only when this holds for all the option values, e.g. ρ only without SGD. */
  readonly rangeWhen?: (values: Readonly<Record<string, unknown>>) => boolean;
  /** The library field the option sets, e.g. 'trainer.rho'; absent for command-line-only options. */
  readonly library?: L;
  /** The command line's 0 means the library's "unset" (e.g. threads: 0 = all cores). */
  readonly zeroIsUnset?: boolean;
  /** A resumed run may change it: it changes how the run is executed, not what it computes. */
  readonly resumeSafe?: boolean;
}

export type OptionSchema<L extends string = string> = Readonly<Record<string, OptionSpec<L>>>;

type ValueOfType<T extends OptionType, C> = T extends 'number' | 'int' ? number
  : T extends 'bool' ? boolean
    : T extends 'list' ? string[]
      : C extends readonly (infer X)[] ? X : string;

/** The TypeScript type of an option's value. */
export type ValueOf<S extends OptionSpec> = ValueOfType<S['type'], S['choices']>;

/** The values of a schema's options: those with a default are always set. */
export type OptionValues<S extends OptionSchema> = {
  -readonly [K in keyof S]: S[K]['default'] extends OptionValue ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** How a value of this type is named in a sentence. */
export function typeInWords(type: OptionType): string {
  return { string: 'a string', number: 'a number', int: 'a whole number', bool: 'true or false', list: 'a list (e.g. [30, 60])' }[type];
}

/** `raw` as the option's type, or the sentence saying why it is not (`--name` is how the user wrote the option). */
export function convertOption(label: string, spec: OptionSpec, raw: string): { value: OptionValue } | { problem: string } {
  switch (spec.type) {
    case 'number': {
      const n = Number(raw);
      return raw.trim() === '' || !Number.isFinite(n) ? { problem: `${label} must be a number, not '${raw}'` } : { value: n };
    }
    case 'int': {
      const n = Number(raw);
      return raw.trim() === '' || !Number.isInteger(n) ? { problem: `${label} must be a whole number, not '${raw}'` } : { value: n };
    }
    case 'list':
      return { value: raw.split(',').map((s) => s.trim()).filter(Boolean) };
    case 'bool':
      if (['true', '1', 'yes', 'on'].includes(raw)) return { value: true };
      if (['false', '0', 'no', 'off'].includes(raw)) return { value: false };
      return { problem: `${label} takes true or false, not '${raw}'` };
    default:
      return spec.choices && !spec.choices.includes(raw) ? { problem: `${label} must be one of ${spec.choices.join(', ')}, not '${raw}'` } : { value: raw };
  }
}

/** The sentence saying why `value` is outside the option's range, or undefined when it is inside (or unset). */
export function rangeProblem(label: string, spec: OptionSpec, value: unknown, values: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof value !== 'number' || (spec.rangeWhen && !spec.rangeWhen(values))) return undefined;
  const got = `, got ${String(value)}`;
  if (spec.min !== undefined && spec.below !== undefined) {
    return value >= spec.min && value < spec.below ? undefined : `${label} must be in [${spec.min}, ${spec.below})${got}`;
  }
  if (spec.above !== undefined && !(value > spec.above)) return `${label} must be above ${spec.above}${got}`;
  if (spec.min !== undefined && !(value >= spec.min)) return spec.min === 0 ? `${label} must not be negative${got}` : `${label} must be at least ${spec.min}${got}`;
  if (spec.below !== undefined && !(value < spec.below)) return `${label} must be below ${spec.below}${got}`;
  return undefined;
}

/** The default as help shows it: '0.1', 'none' for an empty list, with the unit: '5 epochs'. */
export function formatDefault(spec: OptionSpec): string | undefined {
  if (spec.default === undefined) return spec.defaultText;
  const v = Array.isArray(spec.default) ? spec.default.join(',') || 'none' : String(spec.default);
  return spec.unit && typeof spec.default === 'number' ? `${v} ${spec.unit}` : v;
}

/** Edit distance (insertions, deletions, substitutions; a swap of neighbours counts once). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to `name`, when it is close enough to be a typo (or `name` is a prefix of it). */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const k of known) {
    const d = k.startsWith(name) && name.length >= 3 ? 0.5 : editDistance(name, k);
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return bestDistance <= limit ? best : undefined;
}
