// The curvature estimators against exact Hessians that PyTorch computes in float64 (every
// eigenvalue, the trace) for four small models: tanh and ReLU MLPs at random init (indefinite,
// |λ_min| ≈ λ_max), a CNN with BatchNorm in inference mode, and a tanh MLP trained to near a
// minimum. tools/make_exact_hessian_fixtures.py writes the fixtures. Our HVPs run in float32; on
// these models that moves the eigenvalues by ~1e-6 relative, far inside the 1 % asked of them.
import { expect } from 'chai';
import { measureCurvature } from '../../src/geometry/curvature';
import { spectralDensity } from '../../src/geometry/density';
import { gradientNorms } from '../../src/geometry/gradient-norm';
import { lanczosEigenvalues } from '../../src/geometry/lanczos';
import { EXACT_FIXTURES, ExactHessianFixture, loadExactHessianFixture } from './exact-fixture';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

for (const name of EXACT_FIXTURES) {
  describe(`curvature against the exact Hessian (PyTorch float64): ${name}`, () => {
    let fx: ExactHessianFixture;
    before(() => { fx = loadExactHessianFixture(name); });
    after(async () => { await fx.oracle.close(); });

    it('the loss and ‖g‖ are those PyTorch computed (the same model, batch and running statistics)', async () => {
      const gn = await gradientNorms(fx.oracle, fx.weights);
      expect(rel(gn.loss, fx.doc.loss)).to.be.below(1e-5);
      expect(rel(gn.mean, fx.doc.gradNorm)).to.be.below(name === 'tanh-trained' ? 1e-3 : 1e-5); // tiny ‖g‖ near a minimum
    });

    it('Lanczos at default settings: λ_max and λ_min within 1 %, ≤ 100 HVPs, converged by measured residual', async () => {
      const before = fx.oracle.counts.hvp;
      const r = await lanczosEigenvalues(fx.oracle, fx.weights);
      expect(fx.oracle.counts.hvp - before).to.equal(r.hvps);
      expect(r.hvps).to.be.at.most(100);
      expect(r.converged).to.equal(true);
      expect(rel(r.top[0].value, fx.doc.lambdaMax), 'λ_max').to.be.below(0.01);
      expect(rel(r.bottom?.value as number, fx.doc.lambdaMin), 'λ_min').to.be.below(0.01);
      // The residual bounds the distance to the nearest eigenvalue (symmetric Bauer-Fike).
      expect(Math.abs(r.top[0].value - fx.doc.lambdaMax)).to.be.at.most(r.top[0].residual + 1e-6 * Math.abs(fx.doc.lambdaMax));
    });

    it('trace: 95 % intervals cover the exact trace in ≥ 44 of 50 seeds, and the SE matches the observed error', async () => {
      // At a budget of 40 HVPs (Hutch++: 6 sketch columns, 28 probes). A calibrated 95 % interval
      // covers Binomial(50, 0.95) seeds: mean 47.5, sd 1.5, so ≥ 44 fails by chance < 1 % of the
      // time; an SE understated by 1.5× covers ~81 % (40 seeds) and fails. The mean reported SE
      // within [0.6, 1.6]× the root-mean-square error guards against an SE that is too large.
      const seeds = 50;
      let cover = 0;
      let sq = 0;
      let se = 0;
      for (let s = 0; s < seeds; s++) {
        const c = await measureCurvature(fx.oracle, fx.weights, fx.doc.gradNorm, { trace: { maxIter: 40, relTol: 0 }, eigenvalues: 0, seed: s });
        const t = c.trace;
        if (!t) throw new Error('no trace');
        expect(t.hvps).to.equal(40);
        if (t.interval[0] <= fx.doc.trace && fx.doc.trace <= t.interval[1]) cover++;
        sq += (t.trace - fx.doc.trace) ** 2;
        se += t.standardError;
      }
      const ratio = se / seeds / Math.sqrt(sq / seeds);
      expect(cover, `covered ${cover}/${seeds}`).to.be.at.least(44);
      expect(ratio, 'mean SE / rms error').to.be.within(0.6, 1.6);
    });

    it('trace at default settings: within 3 reported SE of the exact trace; C(w) carries the error bar', async () => {
      const c = await measureCurvature(fx.oracle, fx.weights, fx.doc.gradNorm, { eigenvalues: 0, seed: 12 });
      const t = c.trace;
      const n = c.normalizedTrace;
      if (!t || !n) throw new Error('no trace');
      expect(t.hvps).to.be.at.most(100);
      expect(Math.abs(t.trace - fx.doc.trace)).to.be.at.most(3 * t.standardError);
      expect(t.converged).to.equal(t.standardError <= 0.02 * Math.abs(t.trace));
      expect(n.standardError).to.be.closeTo(t.standardError / fx.doc.gradNorm, 1e-9 * n.standardError);
    });

    it('SLQ density: its CDF within 0.05 of the exact spectrum smoothed alike, its second moment within 15 %', async () => {
      // SLQ estimates the eigenvalue distribution convolved with its Gaussian of width σ, so the
      // truth is the exact eigenvalues smoothed by the same kernel (the spectra have atoms, e.g.
      // half of cnn-bn's eigenvalues are 0, which a raw CDF comparison would count as error).
      const d = await spectralDensity(fx.oracle, fx.weights);
      const ev = fx.doc.eigenvalues;
      const dx = d.grid[1] - d.grid[0];
      let cdf = 0;
      let worst = 0;
      for (let i = 0; i < d.grid.length; i++) {
        cdf += d.density[i] * dx;
        const x = d.grid[i] + dx / 2;
        const exact = ev.reduce((s, l) => s + 0.5 * (1 + erf((x - l) / (d.sigma * Math.SQRT2))), 0) / ev.length;
        worst = Math.max(worst, Math.abs(cdf - exact));
      }
      expect(worst, 'Kolmogorov distance of the smoothed CDFs').to.be.below(0.05);
      // Σ τθ² per vector estimates ‖H‖²_F / n (exact quadrature of x² with ≥ 2 nodes).
      const m2 = d.nodes.reduce((s, nodes, p) => s + nodes.reduce((a, th, i) => a + d.weights[p][i] * th * th, 0), 0) / d.nodes.length;
      expect(rel(m2 * d.parameters, fx.doc.frobeniusSq)).to.be.below(0.15);
    });
  });
}
