// ONNX Runtime sessions over the step graphs, with one typed call per graph. The caller passes the
// session options (runtime/execution-providers.ts sessionOptions), so the step math runs on the
// same provider as the training graph.
import * as ort from 'onnxruntime-node';
import { type StepGraphKind, stepGraphBytes } from './step-graphs';

type Feeds = Record<string, ort.Tensor>;
type Outputs = ort.InferenceSession.OnnxValueMapType;

const vec = (x: Float32Array): ort.Tensor => new ort.Tensor('float32', x, [x.length]);
const num = (x: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(x), []);

function out(o: Outputs, name: string): Float32Array {
  const t = o[name];
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`internal: step graph output '${name}' is missing`);
  return t.data;
}

/** What `samPerturb` returns. */
export interface Perturbed {
  readonly wPlus: Float32Array;
  /** Present for the SAM graph (w − e, used by CR-SAM); absent for ASAM. */
  readonly wMinus?: Float32Array;
  /** ‖g‖ (float32 reduction). */
  readonly gNorm: number;
}

/** What `crsamCombine` returns. */
export interface Combined {
  readonly g: Float32Array;
  readonly gNorm: number;
  /** Paper-form terms left out because their denominator was ≤ 1e-12. */
  readonly dropped: number;
}

/** Lazily created sessions over the step graphs; `release()` frees them. */
export class StepSessions {
  private readonly sessions = new Map<StepGraphKind, Promise<ort.InferenceSession>>();

  constructor(private readonly options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'] }) {}

  private async run(kind: StepGraphKind, feeds: Feeds): Promise<Outputs> {
    let s = this.sessions.get(kind);
    if (!s) {
      s = ort.InferenceSession.create(stepGraphBytes(kind), this.options);
      this.sessions.set(kind, s);
    }
    return (await s).run(feeds);
  }

  /** Σx² over a vector. */
  async sumSquares(x: Float32Array): Promise<number> {
    return out(await this.run('sumSquares', { x: vec(x) }), 'ss')[0];
  }

  /** SAM: w ± ρ·g/(‖g‖ + 1e-12). */
  async samPerturb(w: Float32Array, g: Float32Array, rho: number): Promise<Perturbed> {
    const o = await this.run('samPerturb', { w: vec(w), g: vec(g), rho: num(rho) });
    return { wPlus: out(o, 'w_plus'), wMinus: out(o, 'w_minus'), gNorm: out(o, 'g_norm')[0] };
  }

  /** ASAM: w + ρ·T²g/(‖T·g‖ + 1e-12), T = |w| + η. */
  async asamPerturb(w: Float32Array, g: Float32Array, rho: number, eta: number): Promise<Perturbed> {
    const o = await this.run('asamPerturb', { w: vec(w), g: vec(g), rho: num(rho), eta: num(eta) });
    return { wPlus: out(o, 'w_plus'), gNorm: out(o, 'g_norm')[0] };
  }

  /** CR-SAM's combined gradient in the reference or the paper form. */
  async crsamCombine(
    gPlus: Float32Array, gMinus: Float32Array, g0: Float32Array,
    losses: { readonly l0: number; readonly lPlus: number; readonly lMinus: number },
    alpha: number, beta: number, paper: boolean,
  ): Promise<Combined> {
    const o = await this.run('crsamCombine', {
      g_plus: vec(gPlus), g_minus: vec(gMinus), g0: vec(g0),
      l0: num(losses.l0), l_plus: num(losses.lPlus), l_minus: num(losses.lMinus),
      alpha: num(alpha), beta: num(beta), paper: num(paper ? 1 : 0),
    });
    return { g: out(o, 'g'), gNorm: out(o, 'g_norm')[0], dropped: out(o, 'dropped')[0] };
  }

  /** torch.optim.SGD's update; pass a zero `buf` on the first step. */
  async sgdUpdate(
    w: Float32Array, g: Float32Array, buf: Float32Array,
    p: { readonly lr: number; readonly momentum: number; readonly weightDecay: number; readonly nesterov: boolean },
  ): Promise<{ readonly w: Float32Array; readonly buf: Float32Array }> {
    const o = await this.run('sgdUpdate', {
      w: vec(w), g: vec(g), buf: vec(buf),
      lr: num(p.lr), momentum: num(p.momentum), weight_decay: num(p.weightDecay), nesterov: num(p.nesterov ? 1 : 0),
    });
    return { w: out(o, 'w_next'), buf: out(o, 'buf_next') };
  }

  /** torch.optim.AdamW's update at step t (1-based); the bias corrections are computed here in float64. */
  async adamwUpdate(
    w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
    p: { readonly lr: number; readonly t: number; readonly beta1: number; readonly beta2: number; readonly eps: number; readonly weightDecay: number },
  ): Promise<{ readonly w: Float32Array; readonly m: Float32Array; readonly v: Float32Array }> {
    const o = await this.run('adamwUpdate', {
      w: vec(w), g: vec(g), m: vec(m), v: vec(v),
      decay: num(1 - p.lr * p.weightDecay), beta1: num(p.beta1), beta2: num(p.beta2),
      one_minus_beta1: num(1 - p.beta1), one_minus_beta2: num(1 - p.beta2), eps: num(p.eps),
      step_size: num(p.lr / (1 - Math.pow(p.beta1, p.t))), bc2_sqrt: num(Math.sqrt(1 - Math.pow(p.beta2, p.t))),
    });
    return { w: out(o, 'w_next'), m: out(o, 'm_next'), v: out(o, 'v_next') };
  }

  /** Releases every session created so far. */
  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => (await s).release()));
  }
}
