// Gradient parity with PyTorch: tools/zoo_reference.py loaded the weights of these very models
// (written by tools/export-zoo.ts --parity), rebuilt the architecture in PyTorch and recorded the
// loss, every parameter gradient and the BatchNorm running-statistic updates of one train-mode
// step in float64. Our float32 training graph must agree within 1e-4 relative error.
import { expect } from 'chai';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { PARITY } from '../../tools/export-zoo';
import { ParityFixture, relErr, runTrainingStep } from './fixture';

const TOL = 1e-4;

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * Relative error, except for values that are exactly zero in exact arithmetic: a BatchNorm that
 * reads a value is blind to a per-channel shift of it, so in PyramidNet the biases of the BNs
 * that feed the residual stream get a zero gradient (float64: ~1e-17), and the BN after the stem
 * sees a batch mean of zero. There only float32 rounding is left, so the check is absolute
 * against `scale` (1e-6 of the whole gradient, or of the tensor's typical size).
 */
function expectClose(got: Float32Array, want: Float32Array, scale: number, what: string): void {
  expect(got.length, `${what}: length`).to.equal(want.length);
  if (norm(want) < 1e-12 * scale) expect(norm(got), `${what} (zero in exact arithmetic)`).to.be.below(1e-6 * scale);
  else expect(relErr(got, want), what).to.be.below(TOL);
}

for (const entry of PARITY) {
  describe(`zoo gradient parity with PyTorch: ${entry.name}`, () => {
    it('loss, every parameter gradient and the BatchNorm updates within 1e-4', async () => {
      const fx = new ParityFixture(entry.name);
      const model = entry.build();
      expect(JSON.parse(model.metadataProps.get('crsam.zoo.options') ?? '{}'), 'fixture built from these options').to.deep.equal(fx.manifest.options);
      const art = buildArtifacts(model);
      expect(art.params.map((p) => p.name)).to.have.members(fx.manifest.params);
      expect(art.buffers.map((p) => p.name)).to.have.members(fx.manifest.buffers);
      expect(art.unusedParams).to.deep.equal([]);
      const out = await runTrainingStep(art, fx.f32('input'), fx.i64('labels'));
      expect(relErr([out.loss.data[0] as number], [fx.manifest.loss]), 'loss').to.be.below(TOL);
      const total = norm(art.params.flatMap((p) => Array.from(fx.f32(`grad/${p.name}`).data)));
      for (const p of art.params) expectClose(out[`${p.name}_grad`].data as Float32Array, fx.f32(`grad/${p.name}`).data, total, `gradient of ${p.name}`);
      for (const b of art.buffers) {
        const want = fx.f32(`updated/${b.name}`).data;
        expectClose(out[`${b.name}_updated`].data as Float32Array, want, Math.sqrt(want.length), `update of ${b.name}`);
      }
    });
  });
}
