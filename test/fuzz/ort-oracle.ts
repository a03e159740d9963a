// ONNX Runtime as the oracle for crsam's model checks: seeded mutants of real models (node
// attributes, element types of inputs, outputs and initializers, a float output cast to bool or
// int), each given to ONNX Runtime (create a session, run one batch) and to crsam's loader
// (loadModel + buildArtifacts). When ONNX Runtime refuses a model, crsam must refuse it too, with
// a user error; a mismatch is listed by its class (op type, attribute, kind of edit).
// The mutants are protobuf-level edits, independent of crsam's own IR, so the code under test
// never decides what a mutant is.
import * as protobuf from 'protobufjs';
import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { isUserError } from '../../src/core/errors';
import { Rng } from '../../src/core/rng';
import { loadModel } from '../../src/onnx/io';
import { ONNX_PROTO } from '../../src/onnx/onnx-schema';

const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

interface AttrObj { name?: string; type?: number; i?: number; ints?: number[]; f?: number; floats?: number[]; s?: number[] }
interface NodeObj { name?: string; input?: string[]; output?: string[]; op_type?: string; domain?: string; attribute?: AttrObj[] }
export interface DimObj { dim_value?: number; dim_param?: string }
export interface ValueObj { name?: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimObj[] } } } }
export interface TensorObj { name?: string; data_type?: number }
export interface ModelObj { graph: { node: NodeObj[]; initializer?: TensorObj[]; input?: ValueObj[]; output?: ValueObj[] } }

/** One mutant: `cls` groups mutants that one check would refuse; `what` reproduces this one. */
export interface OracleMutant {
  readonly cls: string;
  readonly what: string;
  readonly bytes: Uint8Array;
  /** A valid model crsam cannot train (its scores are not floats): refused whatever ONNX Runtime says. */
  readonly untrainable?: true;
}

export type Verdict = { readonly refused: false } | { readonly refused: true; readonly message: string };
export interface CrsamVerdict { readonly outcome: 'accepted' | 'refused' | 'internal'; readonly message: string }

const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;
const INTS = [-3, -1, 0, 1, 2, 3, 5, 64];
const FLOATS = [-1, 0, 0.5, 2, 1e30];
const STRINGS = ['bogus', '', 'SAME_UPPER', 'VALID', 'reverse', 'Sigmoid'];
// Element types: FLOAT 1, UINT8 2, INT8 3, INT32 6, INT64 7, BOOL 9, FLOAT16 10, DOUBLE 11.
const ELEM_TYPES = [2, 3, 6, 7, 9, 10, 11];
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.nextInt(xs.length)];
const bytesOf = (s: string): number[] => Array.from(Buffer.from(s, 'utf8'));
const textOf = (s: number[] | undefined): string => Buffer.from(s ?? []).toString('utf8');

export function decode(base: Uint8Array): ModelObj {
  return ModelProto.toObject(ModelProto.decode(base), { longs: Number, bytes: Array, defaults: false }) as unknown as ModelObj;
}

function encode(m: ModelObj): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(m as unknown as Record<string, unknown>)).finish();
}

/** One seeded mutant of `base`; undefined when the drawn edit does not apply to this model. */
export function oracleMutant(base: Uint8Array, rng: Rng): OracleMutant | undefined {
  const m = decode(base);
  const g = m.graph;
  const kind = rng.nextInt(10);
  if (kind < 6) return attributeEdit(m, rng);
  if (kind === 6) {
    const v = pick(rng, g.input ?? []);
    const tt = v?.type?.tensor_type;
    if (!tt) return undefined;
    const e = pick(rng, ELEM_TYPES);
    tt.elem_type = e;
    return { cls: `graph input elem_type → ${e}`, what: `input ${v.name} elem_type → ${e}`, bytes: encode(m) };
  }
  if (kind === 7) {
    const t = pick(rng, g.initializer ?? []);
    if (!t) return undefined;
    const e = pick(rng, ELEM_TYPES);
    // The bytes stay those of the old type: a declared type the data does not match is part of the edit.
    t.data_type = e;
    return { cls: `initializer data_type → ${e}`, what: `initializer ${t.name} data_type → ${e}`, bytes: encode(m) };
  }
  const out = g.output?.[0];
  const tt = out?.type?.tensor_type;
  if (!out?.name || !tt) return undefined;
  const e = pick(rng, [6, 7, 9]);
  if (kind === 8) {
    // Declared type only: the graph still computes float scores.
    tt.elem_type = e;
    return { cls: `graph output declared elem_type → ${e}`, what: `output ${out.name} declared as elem_type ${e}`, bytes: encode(m) };
  }
  // A model whose output really is bool or int (a classifier exported with its argmax or a threshold).
  const inner = `${out.name}_scores`;
  for (const n of g.node) n.output = (n.output ?? []).map((o) => (o === out.name ? inner : o));
  g.node.push({ name: 'cast_output', op_type: 'Cast', input: [inner], output: [out.name], attribute: [{ name: 'to', type: ATTR.INT, i: e }] });
  tt.elem_type = e;
  return { cls: `graph output computed as elem_type ${e}`, what: `output ${out.name} cast to elem_type ${e}`, bytes: encode(m), untrainable: true };
}

function attributeEdit(m: ModelObj, rng: Rng): OracleMutant | undefined {
  const withAttrs = m.graph.node.filter((n) => (n.attribute ?? []).some((a) => a.type !== 5 && a.type !== 4));
  const n = withAttrs.length ? pick(rng, withAttrs) : undefined;
  if (!n) return undefined;
  const attrs = (n.attribute ?? []).filter((a) => a.type !== 5 && a.type !== 4);
  const a = pick(rng, attrs);
  const at = `${n.op_type} node '${n.name}' attribute ${a.name}`;
  const cls = (edit: string) => `${n.op_type}.${a.name} ${edit}`;
  const done = (c: string, what: string): OracleMutant => ({ cls: cls(c), what: `${at} ${what}`, bytes: encode(m) });
  if (rng.nextInt(8) === 0) {
    n.attribute = (n.attribute ?? []).filter((x) => x !== a);
    return done('removed', 'removed');
  }
  switch (a.type) {
    case ATTR.INT: { const v = pick(rng, INTS); a.i = v; return done(`int → ${bucket(v)}`, `→ ${v}`); }
    case ATTR.FLOAT: { const v = pick(rng, FLOATS); a.f = v; return done(`float → ${v}`, `→ ${v}`); }
    case ATTR.STRING: { const v = pick(rng, STRINGS); const old = textOf(a.s); a.s = bytesOf(v); return done(`string '${old}' → '${v}'`, `'${old}' → '${v}'`); }
    case ATTR.FLOATS: {
      const fs = a.floats ?? [];
      if (rng.nextInt(3) === 0) { a.floats = fs.slice(0, Math.max(0, fs.length - 1)); return done('floats shortened', `→ [${a.floats.join(', ')}]`); }
      const v = pick(rng, FLOATS); a.floats = fs.map(() => v); return done(`floats → all ${v}`, `→ [${a.floats.join(', ')}]`);
    }
    case ATTR.INTS: {
      const is = a.ints ?? [];
      const r = rng.nextInt(3);
      if (r === 0) { a.ints = is.length > 1 ? is.slice(0, is.length - 1) : [...is, 1]; return done('ints wrong length', `→ [${a.ints.join(', ')}]`); }
      const v = pick(rng, INTS);
      if (r === 1 && is.length) { const k = rng.nextInt(is.length); a.ints = is.map((x, i) => (i === k ? v : x)); return done(`ints one → ${bucket(v)}`, `→ [${a.ints.join(', ')}]`); }
      a.ints = is.map(() => v); return done(`ints all → ${bucket(v)}`, `→ [${a.ints.join(', ')}]`);
    }
    default: return undefined;
  }
}

/** Values that one check treats alike: negative, zero, positive. */
function bucket(v: number): string {
  return v < 0 ? 'negative' : v === 0 ? '0' : 'positive';
}

/** crsam's verdict: what `crsam artifacts` does before it writes anything. */
export function crsamVerdict(bytes: Uint8Array): CrsamVerdict {
  try {
    buildArtifacts(loadModel(bytes));
    return { outcome: 'accepted', message: '' };
  } catch (e) {
    return isUserError(e) ? { outcome: 'refused', message: (e as Error).message } : { outcome: 'internal', message: (e as Error).stack ?? String(e) };
  }
}


/**
 * ONNX Runtime in a child process: some mutants make it abort (a failed assertion), which must
 * count as a refusal, not end the fuzzing. The child is restarted after a crash.
 */
export class OrtOracle {
  private child: ChildProcess | undefined;
  private pending: ((v: Verdict) => void) | undefined;

  verdict(bytes: Uint8Array): Promise<Verdict> {
    const child = this.child ?? this.start();
    return new Promise((resolve) => {
      this.pending = resolve;
      child.send({ bytes: Buffer.from(bytes).toString('base64') });
    });
  }

  close(): void {
    this.child?.kill();
    this.child = undefined;
  }

  private start(): ChildProcess {
    const child = fork(path.join(__dirname, 'ort-oracle-child.js'), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    child.on('message', (v: Verdict) => { const p = this.pending; this.pending = undefined; p?.(v); });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.({ refused: true, message: `ONNX Runtime crashed (${signal ?? `exit ${code}`})` });
    });
    this.child = child;
    return child;
  }
}

/** A mutant where crsam and the oracle disagree, with both verdicts. */
export interface Mismatch { readonly mutant: OracleMutant; readonly ort: Verdict; readonly crsam: CrsamVerdict }

/**
 * Runs `count` mutants drawn round-robin from `bases` and returns those where ONNX Runtime refuses
 * and crsam accepts (or fails with an internal error); `onMutant` sees every mutant tried.
 */
export async function oracleMismatches(bases: readonly { name: string; bytes: Uint8Array }[], seed: number, count: number, onMutant?: (m: OracleMutant, ort: Verdict, crsam: CrsamVerdict) => void): Promise<Mismatch[]> {
  const rng = new Rng(seed, 'ort-oracle');
  const out: Mismatch[] = [];
  const oracle = new OrtOracle();
  try {
  for (let i = 0, tries = 0; i < count && tries < count * 4; tries++) {
    const base = bases[tries % bases.length];
    const mutant = oracleMutant(base.bytes, rng);
    if (!mutant) continue;
    i++;
    const named = { ...mutant, what: `${base.name}: ${mutant.what}` };
    const crsam = crsamVerdict(named.bytes);
    // ONNX Runtime is asked only where its answer matters: crsam accepted, or failed internally.
    const o: Verdict = crsam.outcome === 'refused' ? { refused: false } : await oracle.verdict(named.bytes);
    onMutant?.(named, o, crsam);
    if (crsam.outcome === 'internal' || ((o.refused || mutant.untrainable) && crsam.outcome === 'accepted')) out.push({ mutant: named, ort: o, crsam });
  }
  } finally {
    oracle.close();
  }
  return out;
}
