// A GeometryOracle for L(w) = ½ wᵀAw + bᵀw with a dense symmetric A: every figure is known in
// closed form (H = A, g = Aw + b), so the estimators can be checked exactly. "Batches" are copies
// of the same loss, so batch averaging must not change anything.
import { GeometryOracle } from '../../src/geometry/oracle';

export class QuadraticOracle implements GeometryOracle {
  readonly size: number;
  hvpCalls = 0;

  /** `a` row-major n×n (symmetric), `b` of length n. */
  constructor(readonly a: Float64Array, readonly b: Float64Array, readonly batchCount = 1) {
    this.size = b.length;
  }

  static diagonal(d: readonly number[], b: readonly number[] = d.map(() => 0)): QuadraticOracle {
    const n = d.length;
    const a = new Float64Array(n * n);
    d.forEach((x, i) => { a[i * n + i] = x; });
    return new QuadraticOracle(a, Float64Array.from(b));
  }

  batchSamples(): number {
    return 10;
  }

  private mul(v: ArrayLike<number>, out: Float32Array): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += this.a[i * n + j] * v[j];
      out[i] = s;
    }
  }

  lossAt(w: ArrayLike<number>): number {
    const aw = new Float32Array(this.size);
    this.mul(w, aw);
    let s = 0;
    for (let i = 0; i < this.size; i++) s += 0.5 * w[i] * aw[i] + this.b[i] * w[i];
    return s;
  }

  async evaluate(w: Float32Array): Promise<{ loss: number; accuracy: number }> {
    return { loss: this.lossAt(w), accuracy: 1 };
  }

  async gradient(w: Float32Array, out: Float32Array): Promise<number> {
    this.mul(w, out);
    for (let i = 0; i < this.size; i++) out[i] += this.b[i];
    return this.lossAt(w);
  }

  async hvp(_w: Float32Array, v: Float32Array, out: Float32Array): Promise<void> {
    this.hvpCalls++;
    this.mul(v, out);
  }
}
