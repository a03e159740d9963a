// Trace, eigenvalues, approximation ratio, gradient norms and finite differences on quadratics
// with a known Hessian, where the answers are exact.
import { expect } from 'chai';
import { Rng } from '../../src/core/rng';
import { approximationRatio } from '../../src/geometry/ascent';
import { topEigenvalues } from '../../src/geometry/eigen';
import { gradientNorms } from '../../src/geometry/gradient-norm';
import { finiteDifferenceHvp } from '../../src/geometry/oracle';
import { hutchinsonTrace } from '../../src/geometry/trace';
import { fillRademacher } from '../../src/geometry/probes';
import { QuadraticOracle } from './quadratic-oracle';
import { withEigenvalues } from './quadratic-spectrum';

describe('geometry estimators on quadratics', () => {
  it('Hutchinson: exact trace on a diagonal Hessian, stopping after the second probe (PyHessian rule)', async () => {
    const d = [3, -1, 7, 0.5, 2, 10, -4, 1];
    const o = QuadraticOracle.diagonal(d);
    const t = await hutchinsonTrace(o, new Float32Array(d.length), { seed: 3, tol: 1e-3 });
    expect(t.trace).to.equal(d.reduce((a, b) => a + b, 0));
    expect(t.samples).to.have.length(2);
    expect(t.converged).to.equal(true);
  });

  it('Hutchinson: unbiased on a dense Hessian; stops at maxIter when the tolerance is 0', async () => {
    const o = withEigenvalues([5, 4, 3, 2, 1, 0.5], 1);
    const t = await hutchinsonTrace(o, new Float32Array(6), { maxIter: 4000, tol: 0, seed: 1 });
    expect(t.samples).to.have.length(4000);
    expect(t.converged).to.equal(false);
    expect(Math.abs(t.trace - 15.5) / 15.5).to.be.below(0.02);
  });

  it('Hutchinson: probes are ±1 and reproducible from the seed, or taken as given', async () => {
    const v = new Float32Array(100);
    fillRademacher(new Rng(9), v);
    expect([...v].every((x) => x === 1 || x === -1)).to.equal(true);
    const o = withEigenvalues([2, 1, 1, 1], 4);
    const a = await hutchinsonTrace(o, new Float32Array(4), { seed: 9, maxIter: 5, tol: 0 });
    const b = await hutchinsonTrace(o, new Float32Array(4), { seed: 9, maxIter: 5, tol: 0 });
    expect(a.samples).to.deep.equal(b.samples);
    const given = await hutchinsonTrace(o, new Float32Array(4), { maxIter: 3, tol: 0, probe: (_, out) => out.set([1, 0, 0, 0]) });
    expect(given.samples).to.have.length(3);
  });

  it('power iteration: top-3 eigenvalues (largest magnitude first) with deflation', async () => {
    const o = withEigenvalues([10, -7, 4, 1, 0.5, 0.25], 2);
    const e = await topEigenvalues(o, new Float32Array(6), { topK: 3, tol: 1e-7, maxIter: 1000 });
    expect(e.eigenvalues[0]).to.be.closeTo(10, 1e-5);
    expect(e.eigenvalues[1]).to.be.closeTo(-7, 1e-5);
    expect(e.eigenvalues[2]).to.be.closeTo(4, 1e-5);
    expect(e.converged).to.deep.equal([true, true, true]);
    const dot01 = e.eigenvectors[0].reduce((s, x, i) => s + x * e.eigenvectors[1][i], 0);
    expect(Math.abs(dot01)).to.be.below(1e-3); // eigenvalue error is quadratic in the vector's
  });

  it('power iteration: the PyHessian stopping rule reports the earlier of two close estimates', async () => {
    const o = QuadraticOracle.diagonal([2, 1]);
    // Start on the top eigenvector: every Rayleigh quotient is 2, so it stops at the second.
    const e = await topEigenvalues(o, new Float32Array(2), { start: (_, out) => out.set([1, 0]) });
    expect(e.iterations).to.deep.equal([2]);
    expect(e.eigenvalues[0]).to.equal(2);
  });

  it('approximation ratio: exactly 1 on an isotropic quadratic and on a linear loss', async () => {
    const iso = QuadraticOracle.diagonal([3, 3, 3, 3], [1, -2, 0.5, 4]);
    const w = Float32Array.of(0.2, -0.1, 0.3, 1);
    const r = await approximationRatio(iso, w, { rho: 0.05 });
    expect(r.ratio).to.be.closeTo(1, 1e-5);
    const linear = QuadraticOracle.diagonal([0, 0, 0], [1, 2, -2]);
    expect((await approximationRatio(linear, Float32Array.of(0, 0, 0), { rho: 0.1 })).ratio).to.be.closeTo(1, 1e-5);
  });

  it('approximation ratio: below 1 when the ρ-ball maximum is off the gradient direction', async () => {
    // L = ½(w₁² + 100 w₂²) + w₁ at w = 0: g = (1, 0) but the ball's maximum for ρ = 0.5 leans on w₂.
    const o = QuadraticOracle.diagonal([1, 100], [1, 0]);
    const w = Float32Array.of(0, 1e-4);
    const r = await approximationRatio(o, w, { rho: 0.5, steps: 20 });
    const gn = Math.hypot(1, 0.01);
    const oneStep = o.lossAt([0.5 / gn, 1e-4 + 0.005 / gn]) - o.lossAt([0, 1e-4]);
    // The maximum over the circle of radius 0.5 (found by dense search) bounds L(w+δ*) from above.
    let best = -Infinity;
    for (let k = 0; k < 100000; k++) { const t = (2 * Math.PI * k) / 100000; best = Math.max(best, o.lossAt([0.5 * Math.cos(t), 1e-4 + 0.5 * Math.sin(t)])); }
    const gainMax = best - o.lossAt([0, 1e-4]);
    expect(r.ratio).to.be.below(0.1);
    expect(r.multiStepGain).to.be.at.most(gainMax + 1e-6);
    expect(r.multiStepGain).to.be.above(0.95 * gainMax);
    expect(r.oneStepGain).to.be.closeTo(oneStep, 1e-6);
  });

  it('gradient norms: per-batch mean and full batch', async () => {
    const o = new QuadraticOracle(Float64Array.of(2, 0, 0, 2), Float64Array.of(1, 1), 3);
    const g = await gradientNorms(o, Float32Array.of(1, 0));
    expect(g.perBatch).to.have.length(3);
    expect(g.mean).to.be.closeTo(Math.hypot(3, 1), 1e-6);
    expect(g.fullBatch).to.be.closeTo(Math.hypot(3, 1), 1e-6);
  });

  it('finite-difference HVP is exact on a quadratic up to rounding', async () => {
    const o = withEigenvalues([3, 2, 1, -1], 5);
    const v = Float32Array.of(1, -1, 0.5, 2);
    const exact = new Float32Array(4);
    const fd = new Float32Array(4);
    await o.hvp(new Float32Array(4), v, exact);
    await finiteDifferenceHvp(o, Float32Array.of(0.3, -0.2, 1, 0.1), v, fd, 1e-2);
    for (let i = 0; i < 4; i++) expect(fd[i]).to.be.closeTo(exact[i], 1e-3);
  });
});
