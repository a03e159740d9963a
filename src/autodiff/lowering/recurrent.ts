// RNN, GRU and LSTM lowered for training: the recurrence unrolled over the (static) sequence
// length into standard ops, so the ordinary driver differentiates it and the backward pass reuses
// every step's activations. The eval and inference graphs keep the fused ONNX op.
//   Input products for all steps at once: X·Wᵀ + bias is one MatMul over [seq, batch, input], split
//   into steps by one Split (whose gradient is one Concat, not a Gather-scatter per step).
//   sequence_lens: a step t ≥ len(b) leaves sample b's state unchanged and writes zeros to Y, so the
//   reverse direction, run from the last step, starts each sample at its own last valid step.
import { GraphBuilder } from '../../onnx/builder';
import { attr } from '../../onnx/attr';
import { DataType } from '../../onnx/dtype';
import { attrFloat, attrInt, attrString, Graph, Node } from '../../onnx/ir';
import { Facts, inferNode } from '../../onnx/shape-inference';
import { AutodiffError } from '../types';
import { Cell, CellState, CellWeights, gruCell, lstmCell, rnnCell } from './recurrent-cells';

interface Kind {
  readonly gates: number;
  readonly cell: Cell;
  readonly defaultAct: readonly string[];
}

const KINDS: Readonly<Record<string, Kind>> = {
  RNN: { gates: 1, cell: rnnCell, defaultAct: ['Tanh'] },
  GRU: { gates: 3, cell: gruCell, defaultAct: ['Sigmoid', 'Tanh'] },
  LSTM: { gates: 4, cell: lstmCell, defaultAct: ['Sigmoid', 'Tanh', 'Tanh'] },
};

/**
 * The fused op as ONNX Runtime can run it (eval and inference graphs): ORT's CPU kernels refuse
 * layout 1, so a batch-first node becomes a layout-0 node between Transposes; others stay as they are.
 */
export function recurrentForRuntime(b: GraphBuilder, node: Node): void {
  if (attrInt(node, 'layout', 0) === 0) { b.graph.nodes.push(node); return; }
  const ins = node.inputs.map((v, i) => (v && (i === 0 || i === 5 || i === 6) ? b.transpose(v, [1, 0, 2]) : v));
  const attrs = new Map(node.attributes);
  attrs.delete('layout');
  const outs = node.outputs.map((o) => (o ? b.fresh(`${o}_seq_major`) : ''));
  const fused: Node = { ...node, inputs: ins, outputs: outs, attributes: attrs };
  b.graph.nodes.push(fused);
  inferNode(fused, b.opset, b.facts).forEach((f, i) => { if (f && outs[i]) b.facts.set(outs[i], f); });
  node.outputs.forEach((o, i) => {
    if (!o) return;
    b.node('Transpose', [outs[i]], { perm: attr.ints(i === 0 ? [2, 0, 1, 3] : [1, 0, 2]) }, { outputNames: [o] });
  });
}

/** Op types this file lowers. */
export const RECURRENT_OPS: readonly string[] = Object.keys(KINDS);

/** Unrolls every recurrent node of b.graph, for graphs differentiated outside artifacts.ts (geometry's, of the eval graph). */
export function lowerRecurrentNodes(b: GraphBuilder): void {
  const nodes = b.graph.nodes;
  if (!nodes.some((n) => RECURRENT_OPS.includes(n.opType))) return;
  b.graph.nodes = [];
  for (const n of nodes) {
    if (RECURRENT_OPS.includes(n.opType)) lowerRecurrent(b, n);
    else b.graph.nodes.push(n);
  }
}

/**
 * Declares the inferred type and shape of every intermediate value. Unrolled graphs are long, and
 * ONNX Runtime's own inference gives each symbolic (batch) dim of each value a fresh name, which
 * makes session creation grow faster than the node count; with the shapes declared it does not.
 * Measured (2-layer bidirectional LSTM, hidden 64, symbolic batch, ORT 1.30, optimizations off):
 * session creation 11 s → 2.3 s at sequence 16, 209 s → 7.5 s at sequence 64.
 */
export function declareValueShapes(g: Graph, facts: Facts): void {
  const outer = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      const f = o && !outer.has(o) ? facts.get(o) : undefined;
      if (f?.shape) g.valueInfo.set(o, { name: o, dtype: f.dtype, shape: f.shape });
    }
  }
}

const ACTIVATIONS: Readonly<Record<string, string>> = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu' };

/** Replaces an RNN, GRU or LSTM node (appending to b.graph's node list) by its unrolled form. */
export function lowerRecurrent(b: GraphBuilder, node: Node): void {
  const kind = KINDS[node.opType];
  const [xIn, w, r, bias, lens, h0In, c0In, peepIn] = node.inputs;
  const what = `${node.opType} node '${node.name}'`;
  const layout = attrInt(node, 'layout', 0);
  const direction = attrString(node, 'direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw new AutodiffError(`${what} has direction '${direction}'; ONNX defines forward, reverse and bidirectional`);
  if (node.attributes.has('clip')) throw new AutodiffError(`${what} clips its cell state (clip = ${attrFloat(node, 'clip', 0)}), which crsam cannot differentiate yet; export without a cell clip`);
  if (attrInt(node, 'input_forget', 0) !== 0) throw new AutodiffError(`${what} couples its input and forget gates (input_forget = 1), which crsam cannot differentiate yet; export with uncoupled gates`);
  const act = activations(node, kind, dirs);
  const x = layout === 0 ? xIn : b.transpose(xIn, [1, 0, 2]);
  const seq = b.shape(x)?.[0];
  if (typeof seq !== 'number') {
    throw new AutodiffError(`${what} runs over a sequence of symbolic length; crsam unrolls recurrent layers to train them and needs a fixed sequence length (export with a fixed-length input and no dynamic axis on the sequence)`);
  }
  const rShape = b.shape(r);
  const hidden = attrInt(node, 'hidden_size') ?? rShape?.[2];
  if (typeof hidden !== 'number') throw new AutodiffError(`${what} has no hidden_size and its R has no static shape; crsam needs the hidden size`);
  const toDirMajor = (v: string | undefined): string | undefined => (v && layout !== 0 ? b.transpose(v, [1, 0, 2]) : v || undefined);
  const h0 = toDirMajor(h0In);
  const c0 = toDirMajor(c0In);
  const masks = lens ? stepMasks(b, lens, seq, b.fact(x).dtype) : undefined;
  const [yName, hName, cName] = node.outputs;
  const ys: string[] = [];
  const hs: string[] = [];
  const cs: string[] = [];
  for (let d = 0; d < dirs; d++) {
    const reverse = direction === 'reverse' || d === 1;
    const weights = prepare(b, kind, node, { w, r, bias, peep: peepIn }, d, dirs, hidden, act.slice(d * kind.defaultAct.length, (d + 1) * kind.defaultAct.length));
    const product = b.op('MatMul', [x, weights.wt]);
    const xw = weights.inputBias ? b.op('Add', [product, weights.inputBias]) : product;
    const initial: CellState = { h: h0 && pick(b, h0, d, dirs), c: c0 && pick(b, c0, d, dirs) };
    const { out, state } = unroll(b, kind.cell, weights.cell, xw, seq, reverse, initial, masks);
    // [seq, 1, batch, hidden] per direction; final states [1, batch, hidden].
    if (yName) ys.push(b.op('Concat', out.map((o) => b.unsqueeze(o, [0, 1])), { axis: attr.int(0) }));
    if (hName) hs.push(b.unsqueeze(state.h as string, [0]));
    if (cName && state.c) cs.push(b.unsqueeze(state.c, [0]));
  }
  const join = (parts: string[], axis: number): string => (parts.length === 1 ? parts[0] : b.op('Concat', parts, { axis: attr.int(axis) }));
  if (yName) emit(b, layout === 0 ? join(ys, 1) : b.transpose(join(ys, 1), [2, 0, 1, 3]), yName);
  if (hName) emit(b, layout === 0 ? join(hs, 0) : b.transpose(join(hs, 0), [1, 0, 2]), hName);
  if (cName) emit(b, layout === 0 ? join(cs, 0) : b.transpose(join(cs, 0), [1, 0, 2]), cName);
}

/** One direction's steps over xw [seq, batch, gates·hidden]; `out` is in time order whatever the direction. */
function unroll(b: GraphBuilder, cell: Cell, w: CellWeights, xw: string, seq: number, reverse: boolean, initial: CellState, masks?: string[]): { out: string[]; state: CellState } {
  const steps = seq === 1 ? [xw] : b.node('Split', [xw, b.ints(new Array<number>(seq).fill(1))], { axis: attr.int(0) }, { outputs: seq });
  let state = initial;
  const out = new Array<string>(seq);
  for (let k = 0; k < seq; k++) {
    const t = reverse ? seq - 1 - k : k;
    const next = cell(b, w, b.squeeze(steps[t], [0]), state);
    const m = masks?.[t];
    if (!m) { state = next; out[t] = next.h; continue; }
    out[t] = b.op('Mul', [next.h, m]);
    state = { h: keep(b, m, next.h, state.h), c: next.c && keep(b, m, next.c, state.c) };
  }
  return { out, state };
}

function activations(node: Node, kind: Kind, dirs: number): string[] {
  const a = node.attributes.get('activations');
  const names = a && a.type === 'strings' ? [...a.value] : [];
  const n = kind.defaultAct.length;
  const list = names.length === 0 ? Array.from({ length: dirs }, () => kind.defaultAct).flat() : names.length === n && dirs === 2 ? [...names, ...names] : names;
  return list.map((name) => {
    const op = ACTIVATIONS[name.toLowerCase()];
    if (!op) throw new AutodiffError(`${node.opType} node '${node.name}' uses the activation ${name}; crsam's unrolled ${node.opType} supports ${Object.values(ACTIVATIONS).join(', ')}`);
    return op;
  });
}

/** Row d of a [dirs, ...] tensor, squeezed. */
function pick(b: GraphBuilder, v: string, d: number, dirs: number): string {
  return b.squeeze(dirs === 1 ? v : b.slice(v, [d], [d + 1], [0]), [0]);
}

/** One [batch, 1] float mask per step: 1 where the step lies inside the sample's sequence. */
function stepMasks(b: GraphBuilder, lens: string, seq: number, dtype: DataType): string[] {
  const len = b.unsqueeze(b.op('Cast', [lens], { to: attr.int(DataType.INT64) }), [1]);
  return Array.from({ length: seq }, (_, t) => b.op('Cast', [b.op('Less', [b.scalar(t, DataType.INT64), len])], { to: attr.int(dtype) }, 'step_mask'));
}

/** m ⊙ next + (1 − m) ⊙ prev, with a zero prev when undefined. */
function keep(b: GraphBuilder, m: string, next: string, prev: string | undefined): string {
  if (!prev) return b.op('Mul', [m, next]);
  return b.op('Add', [prev, b.op('Mul', [m, b.op('Sub', [next, prev])])]);
}

function emit(b: GraphBuilder, value: string, name: string): void {
  b.node('Identity', [value], {}, { outputNames: [name] });
}

interface Inputs { readonly w: string; readonly r: string; readonly bias?: string; readonly peep?: string }

/** Direction d's transposed weights and biases; RNN and LSTM fold the recurrent bias into the input products. */
function prepare(b: GraphBuilder, kind: Kind, node: Node, ins: Inputs, d: number, dirs: number, hidden: number, act: string[]): { wt: string; inputBias?: string; cell: CellWeights } {
  const gh = kind.gates * hidden;
  const wt = b.transpose(pick(b, ins.w, d, dirs), [1, 0]);
  const rd = pick(b, ins.r, d, dirs); // [gates·hidden, hidden]
  const bd = ins.bias ? pick(b, ins.bias, d, dirs) : undefined; // [2·gates·hidden]
  const wb = bd ? b.slice(bd, [0], [gh], [0]) : undefined;
  const rb = bd ? b.slice(bd, [gh], [2 * gh], [0]) : undefined;
  const lbr = attrInt(node, 'linear_before_reset', 0) !== 0;
  const peep = ins.peep ? pick(b, ins.peep, d, dirs) : undefined;
  const base = { hidden, act, linearBeforeReset: lbr };
  if (kind.gates !== 3) {
    return {
      wt, inputBias: wb && rb ? b.op('Add', [wb, rb]) : wb,
      cell: { ...base, rt: b.transpose(rd, [1, 0]), peep: peep ? [0, 1, 2].map((k) => b.slice(peep, [k * hidden], [(k + 1) * hidden], [0])) as [string, string, string] : undefined },
    };
  }
  if (lbr) return { wt, inputBias: wb, cell: { ...base, rt: b.transpose(rd, [1, 0]), rb } };
  return {
    wt, inputBias: wb,
    cell: {
      ...base,
      rt: b.transpose(b.slice(rd, [0], [2 * hidden], [0]), [1, 0]),
      rth: b.transpose(b.slice(rd, [2 * hidden], [3 * hidden], [0]), [1, 0]),
      rb: rb && b.slice(rb, [0], [2 * hidden], [0]),
      rbh: rb && b.slice(rb, [2 * hidden], [3 * hidden], [0]),
    },
  };
}
