// Exact Hessian-vector products through unrolled recurrent layers and Einsum (reverse over
// reverse of the lowered LSTM and of the Einsum rule) against central differences of gradients.
import { expect } from 'chai';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { Rng } from '../../src/core/rng';
import { finiteDifferenceHvp } from '../../src/geometry/oracle';
import { OrtGeometryOracle } from '../../src/geometry/ort-geometry-oracle';
import { fillGaussian } from '../../src/geometry/probes';
import { loadModel } from '../../src/onnx/io';
import { relErr } from '../autodiff/check-gradient';
import { loadTorchFixture } from '../torch-fixture';

describe('exact Hessian-vector products: recurrent and Einsum models', () => {
  for (const name of ['lstm-bi2-o13', 'gru-bi-o17', 'einsum-o17']) {
    it(`agree with central differences on ${name}`, async () => {
      const fx = loadTorchFixture(`rnn/${name}`);
      const art = buildArtifacts(loadModel(fx.modelPath));
      const oracle = new OrtGeometryOracle(art, { threads: 2 });
      try {
        const x = fx.f32('grad/input');
        oracle.setBatches([{ inputs: { [art.dataInputs[0].name]: { data: x.data, dims: x.dims } }, labels: fx.i64('grad/labels').data }]);
        const w = oracle.initialWeights();
        const v = new Float32Array(oracle.size);
        fillGaussian(new Rng(1), v);
        const exact = new Float32Array(v.length);
        const fd = new Float32Array(v.length);
        await oracle.hvp(w, v, exact);
        await finiteDifferenceHvp(oracle, w, v, fd, 1e-2);
        expect(relErr(fd, exact)).to.be.below(1e-3);
      } finally {
        await oracle.close();
      }
    });
  }
});
