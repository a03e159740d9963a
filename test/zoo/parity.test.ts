// Gradient parity with PyTorch: tools/zoo_reference.py loaded the weights of these very models
// (written by tools/export-zoo.ts --parity), rebuilt the architecture in PyTorch and recorded the
// loss, every parameter gradient and the BatchNorm running-statistic updates of one train-mode
// step in float64. Our training graph must agree within 1e-4 relative error.
import { expect } from 'chai';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { PARITY } from '../../tools/export-zoo';
import { ParityFixture, relErr, runTrainingStep } from './fixture';

const TOL = 1e-4;

for (const entry of PARITY) {
  describe(`zoo gradient parity with PyTorch: ${entry.name}`, () => {
    it('loss, every parameter gradient and the BatchNorm updates within 1e-4', async () => {
      const fx = new ParityFixture(entry.name);
      const model = entry.build();
      expect(JSON.parse(model.metadataProps.get('crsam.zoo.options') ?? '{}')).to.deep.equal(fx.manifest.options);
      const art = buildArtifacts(model);
      expect(art.params.map((p) => p.name)).to.have.members(fx.manifest.params);
      expect(art.buffers.map((p) => p.name)).to.have.members(fx.manifest.buffers);
      expect(art.unusedParams).to.deep.equal([]);
      const out = await runTrainingStep(art, fx.f32('input'), fx.i64('labels'));
      expect(relErr([out.loss.data[0] as number], [fx.manifest.loss]), 'loss').to.be.below(TOL);
      for (const p of art.params) {
        const got = out[`${p.name}_grad`].data as Float32Array;
        expect(relErr(got, fx.f32(`grad/${p.name}`).data), `gradient of ${p.name}`).to.be.below(TOL);
      }
      for (const b of art.buffers) {
        const got = out[`${b.name}_updated`].data as Float32Array;
        expect(relErr(got, fx.f32(`updated/${b.name}`).data), `update of ${b.name}`).to.be.below(TOL);
      }
    });
  });
}
