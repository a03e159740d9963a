// One time step of ONNX's RNN, GRU and LSTM cells in standard ops (gate orders as ONNX defines
// them: GRU z, r, h; LSTM i, o, f, c). A state that is undefined is zero: the first step of a
// sequence without an initial state skips its recurrent products instead of multiplying zeros.
import { GraphBuilder } from '../../onnx/builder';
import { attr } from '../../onnx/attr';

/** Per-direction weights, prepared once before the unrolled loop. */
export interface CellWeights {
  readonly hidden: number;
  /** Rᵀ [hidden, gates·hidden] (GRU with linear_before_reset = 0: only the z and r columns). */
  readonly rt: string;
  /** GRU with linear_before_reset = 0: Rₕᵀ [hidden, hidden]. */
  readonly rth?: string;
  /** Recurrent bias added to the hidden products (GRU only; RNN and LSTM fold it into the input products). */
  readonly rb?: string;
  /** GRU with linear_before_reset = 0: the h gate's recurrent bias. */
  readonly rbh?: string;
  /** LSTM peepholes Pᵢ, Pₒ, P_f, each [hidden]. */
  readonly peep?: readonly [string, string, string];
  /** Activation op types: f, g, h as ONNX names them (LSTM 3, GRU 2, RNN 1). */
  readonly act: readonly string[];
  readonly linearBeforeReset: boolean;
}

export interface CellState {
  readonly h?: string;
  readonly c?: string;
}

/** One step: `x` is this step's input product X·Wᵀ + bias [batch, gates·hidden]. */
export type Cell = (b: GraphBuilder, w: CellWeights, x: string, prev: CellState) => { h: string; c?: string };

const add = (b: GraphBuilder, a: string, c: string | undefined): string => (c ? b.op('Add', [a, c]) : a);
const addMaybe = (b: GraphBuilder, a: string | undefined, c: string | undefined): string | undefined => (a ? add(b, a, c) : c);
const split = (b: GraphBuilder, x: string, parts: number, hidden: number): string[] =>
  b.node('Split', [x, b.ints(new Array<number>(parts).fill(hidden))], { axis: attr.int(-1) }, { outputs: parts });

export const rnnCell: Cell = (b, w, x, prev) => {
  const pre = prev.h ? b.op('Add', [x, b.op('MatMul', [prev.h, w.rt])]) : x;
  return { h: b.op(w.act[0], [pre]) };
};

export const gruCell: Cell = (b, w, x, prev) => {
  const [xz, xr, xh] = split(b, x, 3, w.hidden);
  let hz: string | undefined;
  let hr: string | undefined;
  let hh: string | undefined;
  const f = w.act[0];
  if (w.linearBeforeReset) {
    // h̃ = g(xₕ + r ⊙ (H·Rₕᵀ + Rbₕ)): one product for all three gates.
    const hp = addMaybe(b, prev.h ? b.op('MatMul', [prev.h, w.rt]) : undefined, w.rb);
    if (hp) [hz, hr, hh] = split(b, hp, 3, w.hidden);
    const z = b.op(f, [add(b, xz, hz)]);
    const r = b.op(f, [add(b, xr, hr)]);
    const ht = b.op(w.act[1], [add(b, xh, hh ? b.op('Mul', [r, hh]) : undefined)]);
    return { h: mix(b, z, ht, prev.h) };
  }
  // h̃ = g(xₕ + (r ⊙ H)·Rₕᵀ + Rbₕ)
  const hp = addMaybe(b, prev.h ? b.op('MatMul', [prev.h, w.rt]) : undefined, w.rb);
  if (hp) [hz, hr] = split(b, hp, 2, w.hidden);
  const z = b.op(f, [add(b, xz, hz)]);
  const r = b.op(f, [add(b, xr, hr)]);
  hh = addMaybe(b, prev.h ? b.op('MatMul', [b.op('Mul', [r, prev.h]), w.rth as string]) : undefined, w.rbh);
  const ht = b.op(w.act[1], [add(b, xh, hh)]);
  return { h: mix(b, z, ht, prev.h) };
};

/** H = (1 − z) ⊙ h̃ + z ⊙ H₋₁ = h̃ + z ⊙ (H₋₁ − h̃). */
function mix(b: GraphBuilder, z: string, ht: string, h?: string): string {
  const diff = h ? b.op('Sub', [h, ht]) : b.op('Neg', [ht]);
  return b.op('Add', [ht, b.op('Mul', [z, diff])]);
}

export const lstmCell: Cell = (b, w, x, prev) => {
  const pre = prev.h ? b.op('Add', [x, b.op('MatMul', [prev.h, w.rt])]) : x;
  const gates = split(b, pre, 4, w.hidden);
  const pc = gates[3];
  let [pi, po, pf] = gates;
  const [f, g, hAct] = w.act;
  if (w.peep && prev.c) {
    pi = b.op('Add', [pi, b.op('Mul', [w.peep[0], prev.c])]);
    pf = b.op('Add', [pf, b.op('Mul', [w.peep[2], prev.c])]);
  }
  const i = b.op(f, [pi]);
  const ct = b.op(g, [pc]);
  const ig = b.op('Mul', [i, ct]);
  const c = prev.c ? b.op('Add', [b.op('Mul', [b.op(f, [pf]), prev.c]), ig]) : ig;
  if (w.peep) po = b.op('Add', [po, b.op('Mul', [w.peep[1], c])]);
  const o = b.op(f, [po]);
  return { h: b.op('Mul', [o, b.op(hAct, [c])]), c };
};
