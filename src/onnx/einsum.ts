// Einsum equations parsed into explicit labels: every operand's subscript with its ellipsis
// expanded into one label per broadcast dim, so shape inference and the gradient rule work on
// plain label lists. Ellipsis dims are numbered from the right (numpy's broadcasting):
// '0' is the last ellipsis dim, '1' the one before, ... (digits never clash with letters).
import { Dim, Shape } from './ir';

export interface EinsumEquation {
  /** One label list per operand (ellipsis expanded). */
  readonly inputs: readonly (readonly string[])[];
  /** The output's labels (the implicit form's output made explicit). */
  readonly output: readonly string[];
  /** Number of dims the ellipsis stands for after broadcasting (0 when none). */
  readonly ellipsisRank: number;
}

const ELLIPSIS = '...';

function letters(term: string, what: string): string[] {
  const out = [...term];
  const bad = out.find((c) => !/[a-zA-Z]/.test(c));
  if (bad !== undefined) throw new Error(`${what} has the character '${bad}', which is not a letter`);
  return out;
}

/** Splits one subscript into the letters before and after its ellipsis (after: undefined when none). */
function splitTerm(term: string, what: string): { before: string[]; after?: string[] } {
  const at = term.indexOf(ELLIPSIS);
  if (at < 0) return { before: letters(term, what) };
  if (term.indexOf(ELLIPSIS, at + 1) >= 0) throw new Error(`${what} has more than one ellipsis`);
  return { before: letters(term.slice(0, at), what), after: letters(term.slice(at + ELLIPSIS.length), what) };
}

const ellipsisLabels = (count: number): string[] => Array.from({ length: count }, (_, i) => String(count - 1 - i));

/**
 * Parses `equation` for operands of the given ranks. Throws a plain Error (the caller words it
 * for the user) when the equation and the ranks disagree.
 */
export function parseEinsum(equation: string, ranks: readonly number[]): EinsumEquation {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs, extra] = eq.split('->');
  if (extra !== undefined) throw new Error(`'${equation}' has more than one '->'`);
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw new Error(`'${equation}' names ${terms.length} operands but the node has ${ranks.length}`);
  let ellipsisRank = 0;
  const parsed = terms.map((t, i) => {
    const p = splitTerm(t, `operand ${i} of '${equation}'`);
    const named = p.before.length + (p.after?.length ?? 0);
    const e = p.after ? ranks[i] - named : 0;
    if (e < 0 || (!p.after && named !== ranks[i])) throw new Error(`operand ${i} of '${equation}' has rank ${ranks[i]}, which its subscript '${t}' does not fit`);
    ellipsisRank = Math.max(ellipsisRank, e);
    return { ...p, e };
  });
  const inputs = parsed.map((p) => (p.after ? [...p.before, ...ellipsisLabels(p.e), ...p.after] : p.before));
  let output: string[];
  if (rhs === undefined) {
    // Implicit form: the ellipsis, then the letters that occur once, in alphabetical order.
    const counts = new Map<string, number>();
    for (const p of parsed) for (const c of [...p.before, ...(p.after ?? [])]) counts.set(c, (counts.get(c) ?? 0) + 1);
    const once = [...counts].filter(([, n]) => n === 1).map(([c]) => c).sort();
    output = [...ellipsisLabels(ellipsisRank), ...once];
  } else {
    const p = splitTerm(rhs, `the output of '${equation}'`);
    output = p.after ? [...p.before, ...ellipsisLabels(ellipsisRank), ...p.after] : p.before;
    if (!p.after && ellipsisRank > 0) throw new Error(`the output of '${equation}' drops the ellipsis`);
    const known = new Set(inputs.flat());
    const missing = output.find((c) => !known.has(c));
    if (missing !== undefined) throw new Error(`the output of '${equation}' has the label '${missing}', which no operand has`);
    if (new Set(output).size !== output.length) throw new Error(`the output of '${equation}' repeats a label`);
  }
  return { inputs, output, ellipsisRank };
}

/** Each label's size: a dim of 1 gives way to any other (ellipsis broadcasting); unknown where only symbolic. */
export function labelSizes(eq: EinsumEquation, shapes: readonly Shape[]): Map<string, Dim> {
  const sizes = new Map<string, Dim>();
  eq.inputs.forEach((labels, i) => labels.forEach((l, k) => {
    const d = shapes[i][k];
    const have = sizes.get(l);
    if (have === undefined || have === 1 || (have === null && d !== 1)) sizes.set(l, d);
  }));
  return sizes;
}

/** Writes label lists back as an equation, giving every label a letter (digits become unused letters). */
export function formatEinsum(inputs: readonly (readonly string[])[], output: readonly string[]): string {
  const all = [...inputs.flat(), ...output];
  const used = new Set(all.filter((l) => /[a-zA-Z]/.test(l)));
  const spare = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => !used.has(c));
  const rename = new Map<string, string>();
  for (const l of all) {
    if (/[a-zA-Z]/.test(l) || rename.has(l)) continue;
    const c = spare.shift();
    if (c === undefined) throw new Error('the equation needs more than 52 labels');
    rename.set(l, c);
  }
  const word = (ls: readonly string[]): string => ls.map((l) => rename.get(l) ?? l).join('');
  return `${inputs.map(word).join(',')}->${word(output)}`;
}
