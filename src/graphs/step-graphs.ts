// The parameter-side math of one optimizer step (norms, the SAM/ASAM perturbation, CR-SAM's
// combined gradient, the SGD and AdamW updates) as small float32 ONNX graphs of default-domain
// ops, so that any ONNX Runtime session/provider can run them next to the training graph and a
// step need not bring the parameter vectors back to the host. src/optim/ is the reference math
// (docs/device-step.md); these graphs must agree with it to ~1e-6.
import { DataType } from '../onnx/dtype';
import { attr } from '../onnx/attr';
import { GraphBuilder } from '../onnx/builder';
import type { Graph, Model } from '../onnx/ir';
import type { Facts } from '../onnx/shape-inference';
import { serializeModel } from '../onnx/io';

/** The opset of the step graphs: 17 has every op they use in its current form, and ORT 1.30 runs it. */
export const STEP_GRAPH_OPSET = 17;
/** Symbolic length of the parameter vector: one graph serves every model. */
const N = 'N';
/** The 1e-12 (docs/optimizers.md) in the SAM/ASAM denominators and the paper-form floor (docs/device-step.md). */
const EPS = 1e-12;

/** The step graphs, by job. Inputs and outputs are named in each builder's comment. */
export type StepGraphKind = 'sumSquares' | 'samPerturb' | 'asamPerturb' | 'crsamCombine' | 'sgdUpdate' | 'adamwUpdate';

interface Sketch {
  readonly b: GraphBuilder;
  readonly graph: Graph;
  vector(name: string): string;
  scalar(name: string): string;
  output(name: string, from: string, vector: boolean): void;
}

function sketch(name: string): Sketch {
  const graph: Graph = { name, nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
  const facts: Facts = new Map();
  const b = new GraphBuilder(graph, STEP_GRAPH_OPSET, facts, 's_');
  const input = (n: string, shape: readonly (number | string)[]): string => {
    graph.inputs.push({ name: n, dtype: DataType.FLOAT, shape });
    facts.set(n, { dtype: DataType.FLOAT, shape });
    return n;
  };
  return {
    b,
    graph,
    vector: (n) => input(n, [N]),
    scalar: (n) => input(n, []),
    output: (n, from, vector) => {
      // Outputs carry fixed names; an Identity renames the builder's generated value.
      b.node('Identity', [from], {}, { outputNames: [n] });
      graph.outputs.push({ name: n, dtype: DataType.FLOAT, shape: vector ? [N] : [] });
    },
  };
}

/** Reduction block: ORT sums a row sequentially in float32, so blocks bound the error's growth. */
const BLOCK = 256;

/** x [n] → x padded with zeros to a multiple of BLOCK, as [n/BLOCK, BLOCK]. */
function blocks(b: GraphBuilder, x: string): string {
  const len = b.op('Shape', [x]);
  const block = b.ints([BLOCK]);
  const pad = b.op('Mod', [b.op('Sub', [block, b.op('Mod', [len, block])]), block]);
  const padded = b.op('Pad', [x, b.op('Concat', [b.ints([0]), pad], { axis: attr.int(0) })]);
  return b.reshape(padded, [-1, BLOCK]);
}

/**
 * Σx² in three levels of ≤ 256-element sequential float32 sums. One ReduceSumSquare over
 * the whole vector sums sequentially: measured relative error vs float64 7e-8 at 4 k elements,
 * 3.4e-7 at 53 k, 1.6e-5 at 1 M; the JS reference accumulates in float64.
 */
function sumSq(s: Sketch, x: string): string {
  const { b } = s;
  const rows = b.reduce('ReduceSumSquare', blocks(b, x), [1], false);
  const rows2 = b.reduce('ReduceSum', blocks(b, rows), [1], false);
  return b.reduce('ReduceSum', rows2, [0], false);
}

function l2(s: Sketch, x: string): string {
  return s.b.op('Sqrt', [sumSq(s, x)]);
}

/** sumSquares: `x [N]` → `ss` = Σx² (the norms: ‖g‖ = √ss, reduced by ORT in float32). */
function sumSquares(s: Sketch): void {
  s.output('ss', sumSq(s, s.vector('x')), false);
}

/** samPerturb: `w, g [N]`, `rho` → `w_plus, w_minus [N]`, `g_norm`; e = ρ·g/(‖g‖ + 1e-12). */
function samPerturb(s: Sketch): void {
  const { b } = s;
  const w = s.vector('w');
  const g = s.vector('g');
  const norm = l2(s, g);
  const scale = b.op('Div', [s.scalar('rho'), b.op('Add', [norm, b.scalar(EPS)])]);
  const e = b.op('Mul', [g, scale]);
  s.output('w_plus', b.op('Add', [w, e]), true);
  s.output('w_minus', b.op('Sub', [w, e]), true);
  s.output('g_norm', norm, false);
}

/** asamPerturb: `w, g [N]`, `rho`, `eta` → `w_plus [N]`, `g_norm`; e = ρ·T²g/(‖T·g‖ + 1e-12), T = |w| + η. */
function asamPerturb(s: Sketch): void {
  const { b } = s;
  const w = s.vector('w');
  const g = s.vector('g');
  const t = b.op('Add', [b.op('Abs', [w]), s.scalar('eta')]);
  const tg = b.op('Mul', [t, g]);
  const scale = b.op('Div', [s.scalar('rho'), b.op('Add', [l2(s, tg), b.scalar(EPS)])]);
  s.output('w_plus', b.op('Add', [w, b.op('Mul', [b.op('Mul', [t, tg]), scale])]), true);
  s.output('g_norm', l2(s, g), false);
}

/** `weight / denominator` where denominator > 1e-12, else 0; `dropped` is 1 where a non-zero weight was dropped. */
function paperWeight(s: Sketch, weight: string, denominator: string): { w: string; dropped: string } {
  const { b } = s;
  const keep = b.op('Greater', [denominator, b.scalar(EPS)]);
  const zero = b.scalar(0);
  // Dividing by a clamped denominator keeps the dropped branch finite (Where evaluates both).
  const safe = b.op('Max', [denominator, b.scalar(EPS)]);
  const w = b.op('Where', [keep, b.op('Div', [weight, safe]), zero]);
  const nonZero = b.op('Cast', [b.op('Not', [b.op('Equal', [weight, zero])])], { to: attr.int(DataType.FLOAT) });
  const dropped = b.op('Mul', [b.op('Cast', [b.op('Not', [keep])], { to: attr.int(DataType.FLOAT) }), nonZero]);
  return { w, dropped };
}

/**
 * crsamCombine: `g_plus, g_minus, g0 [N]`, `l0, l_plus, l_minus, alpha, beta`, `paper` (1 for
 * eq. 7's form, 0 for the reference release) → `g [N]` = g+ + a(g+ + g− − 2g0) + b(g+ − g−),
 * `g_norm` = ‖g‖, `dropped` (paper-form terms left out).
 */
function crsamCombine(s: Sketch): void {
  const { b } = s;
  const gp = s.vector('g_plus');
  const gm = s.vector('g_minus');
  const g0 = s.vector('g0');
  const [l0, lp, lm, alpha, beta, paper] = ['l0', 'l_plus', 'l_minus', 'alpha', 'beta', 'paper'].map((n) => s.scalar(n));
  // (L+ − L0) + (L− − L0) rather than L+ + L− − 2L0: for nearby float32 losses each difference is
  // exact (Sterbenz), so the second difference keeps its digits where the JS reference's float64 does.
  const second = b.op('Add', [b.op('Sub', [lp, l0]), b.op('Sub', [lm, l0])]);
  const first = b.op('Sub', [lp, lm]);
  const pa = paperWeight(s, alpha, second);
  const pb = paperWeight(s, beta, first);
  const isPaper = b.op('Greater', [paper, b.scalar(0.5)]);
  const a = b.op('Where', [isPaper, pa.w, alpha]);
  const c = b.op('Where', [isPaper, pb.w, beta]);
  const dropped = b.op('Mul', [b.op('Add', [pa.dropped, pb.dropped]), b.op('Cast', [isPaper], { to: attr.int(DataType.FLOAT) })]);
  const ca = b.op('Add', [b.op('Add', [b.scalar(1), a]), c]);
  const cb = b.op('Sub', [a, c]);
  const cc = b.op('Mul', [a, b.scalar(-2)]);
  const g = b.op('Add', [b.op('Add', [b.op('Mul', [gp, ca]), b.op('Mul', [gm, cb])]), b.op('Mul', [g0, cc])]);
  s.output('g', g, true);
  s.output('g_norm', l2(s, g), false);
  s.output('dropped', dropped, false);
}

/**
 * sgdUpdate: `w, g, buf [N]`, `lr, momentum, weight_decay, nesterov` (1/0) → `w_next, buf_next [N]`.
 * d = g + wd·w; buf = μ·buf + d; w − lr·(nesterov ? d + μ·buf : buf). A zero `buf` on the first
 * step gives PyTorch's `buf = d` exactly (μ·0 + d = d).
 */
function sgdUpdate(s: Sketch): void {
  const { b } = s;
  const w = s.vector('w');
  const g = s.vector('g');
  const buf = s.vector('buf');
  const [lr, mu, wd, nesterov] = ['lr', 'momentum', 'weight_decay', 'nesterov'].map((n) => s.scalar(n));
  const d = b.op('Add', [g, b.op('Mul', [w, wd])]);
  const bufNext = b.op('Add', [b.op('Mul', [buf, mu]), d]);
  const dir = b.op('Where', [b.op('Greater', [nesterov, b.scalar(0.5)]), b.op('Add', [d, b.op('Mul', [bufNext, mu])]), bufNext]);
  s.output('w_next', b.op('Sub', [w, b.op('Mul', [dir, lr])]), true);
  s.output('buf_next', bufNext, true);
}

/**
 * adamwUpdate: `w, g, m, v [N]`, `decay` = 1 − lr·wd, `beta1, beta2` with `one_minus_beta1/2`,
 * `eps`, `step_size` = lr/(1 − β1ᵗ), `bc2_sqrt` = √(1 − β2ᵗ) → `w_next, m_next, v_next [N]`.
 * The host computes 1 − β in float64: 1 − fround(0.999) in float32 is off by 1.3e-5 relative,
 * which moved w by 7e-7 per step against the reference (measured).
 */
function adamwUpdate(s: Sketch): void {
  const { b } = s;
  const w = s.vector('w');
  const g = s.vector('g');
  const m = s.vector('m');
  const v = s.vector('v');
  const [decay, b1, b2, c1, c2, eps, stepSize, bc2] = ['decay', 'beta1', 'beta2', 'one_minus_beta1', 'one_minus_beta2', 'eps', 'step_size', 'bc2_sqrt']
    .map((n) => s.scalar(n));
  const mNext = b.op('Add', [b.op('Mul', [m, b1]), b.op('Mul', [g, c1])]);
  const vNext = b.op('Add', [b.op('Mul', [v, b2]), b.op('Mul', [b.op('Mul', [g, g]), c2])]);
  const denom = b.op('Add', [b.op('Div', [b.op('Sqrt', [vNext]), bc2]), eps]);
  const upd = b.op('Div', [b.op('Mul', [mNext, stepSize]), denom]);
  s.output('w_next', b.op('Sub', [b.op('Mul', [w, decay]), upd]), true);
  s.output('m_next', mNext, true);
  s.output('v_next', vNext, true);
}

const BUILDERS: Readonly<Record<StepGraphKind, (s: Sketch) => void>> = {
  sumSquares, samPerturb, asamPerturb, crsamCombine, sgdUpdate, adamwUpdate,
};

/** One step graph as a model (float32, opset 17, symbolic length N). */
export function buildStepGraph(kind: StepGraphKind): Model {
  const s = sketch(`crsam_step_${kind}`);
  BUILDERS[kind](s);
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: STEP_GRAPH_OPSET }],
    producerName: 'crsam.graphs',
    producerVersion: '1',
    domain: '',
    modelVersion: 1,
    docString: `crsam optimizer-step graph '${kind}'`,
    metadataProps: new Map([['crsam.graphs.kind', kind]]),
    graph: s.graph,
  };
}

/** The serialized bytes of `buildStepGraph(kind)`, for `ort.InferenceSession.create`. */
export function stepGraphBytes(kind: StepGraphKind): Uint8Array {
  return serializeModel(buildStepGraph(kind));
}
