// Exact HVP, gradient norms, Hutchinson trace and power iteration against PyTorch (float64 double
// backward, PyHessian's loops) on the committed fixtures; tools/geometry_reference.py writes them.
import { expect } from 'chai';
import { relErr } from '../autodiff/check-gradient';
import { topEigenvalues } from '../../src/geometry/eigen';
import { gradientNorms } from '../../src/geometry/gradient-norm';
import { finiteDifferenceHvp } from '../../src/geometry/oracle';
import { hutchinsonTrace } from '../../src/geometry/trace';
import { LoadedGeometryFixture, loadGeometryFixture } from './fixture';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

for (const name of ['mlp', 'resnet']) {
  describe(`geometry against PyTorch: ${name}`, () => {
    let fx: LoadedGeometryFixture;
    before(() => { fx = loadGeometryFixture(name); });
    after(async () => { await fx.oracle.close(); });

    it('loss and gradient norms (mean of per-batch and full-batch) within 1e-5', async () => {
      expect(rel((await fx.oracle.evaluate(fx.weights)).loss, fx.doc.loss)).to.be.below(1e-5);
      const gn = await gradientNorms(fx.oracle, fx.weights);
      gn.perBatch.forEach((n, i) => expect(rel(n, fx.doc.gradNormsPerBatch[i]), `batch ${i}`).to.be.below(1e-5));
      expect(rel(gn.mean, fx.doc.gradNormMean)).to.be.below(1e-5);
      expect(rel(gn.fullBatch, fx.doc.gradNormFull)).to.be.below(1e-5);
    });

    it('exact Hv matches torch.autograd double backward within 1e-4 relative', async () => {
      const v = fx.toOracle(fx.f32('start/0'));
      const hv = new Float32Array(v.length);
      await fx.oracle.hvp(fx.weights, v, hv);
      expect(relErr(hv, fx.toOracle(fx.f32('hv')))).to.be.below(1e-4);
    });

    if (name === 'mlp') it('central differences of gradients agree with the exact Hv away from ReLU kinks', async () => {
      // ReLU networks are piecewise quadratic: a difference step that moves a pre-activation across
      // zero changes the gradient by a jump, not by Hv·εv. On the MLP's first batch no unit is that
      // close to zero; the ResNet's small images have units near zero everywhere (its check is in
      // hvp.test.ts on smooth models).
      const v = fx.toOracle(fx.f32('start/0'));
      const exact = new Float32Array(v.length);
      const fd = new Float32Array(v.length);
      await fx.oracle.hvp(fx.weights, v, exact, [0]);
      await finiteDifferenceHvp(fx.oracle, fx.weights, v, fd, 1e-2, [0]);
      expect(relErr(fd, exact)).to.be.below(1e-3);
    });

    it('Hutchinson trace with the same probes within 1e-3 (same number of probes)', async () => {
      const t = await hutchinsonTrace(fx.oracle, fx.weights, { maxIter: fx.doc.trace.maxIter, tol: fx.doc.trace.tol, probe: (i, out) => out.set(fx.probe(i)) });
      expect(t.samples.length).to.equal(fx.doc.trace.probes);
      t.samples.forEach((s, i) => expect(rel(s, fx.doc.trace.vhv[i]), `probe ${i}`).to.be.below(1e-4));
      expect(rel(t.trace, fx.doc.trace.trace)).to.be.below(1e-3);
    });

    it('top eigenvalues by power iteration with deflation within 1e-3', async () => {
      const e = await topEigenvalues(fx.oracle, fx.weights, {
        topK: fx.doc.eigen.topK, maxIter: fx.doc.eigen.maxIter, tol: fx.doc.eigen.tol, start: (k, out) => out.set(fx.toOracle(fx.f32(`start/${k}`))),
      });
      e.eigenvalues.forEach((ev, k) => expect(rel(ev, fx.doc.eigen.eigenvalues[k]), `eigenvalue ${k}`).to.be.below(1e-3));
      expect(e.iterations).to.deep.equal(fx.doc.eigen.iterations);
    });
  });
}
