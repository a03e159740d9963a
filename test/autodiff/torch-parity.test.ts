// Loss, every parameter gradient and the BatchNorm running statistics of our training graphs
// against PyTorch autograd on the committed fixtures (tools/make_torch_fixtures.py): PyTorch
// float64 is the truth, PyTorch float32's own error against it is shown beside ours, and ours is
// also held to PyTorch float32 as before.
import { expect } from 'chai';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { loadModel } from '../../src/onnx/io';
import { relErr } from './check-gradient';
import { runTrainingGraph } from './training-feeds';
import { loadTorchFixture, TorchFixture } from '../torch-fixture';

/** Relative errors of ours and of PyTorch float32 against float64, and ours against float32. */
interface Compared { what: string; ours: number; torch: number; oursVsTorch: number }

function compare(what: string, ours: ArrayLike<number>, torch32: ArrayLike<number>, truth: ArrayLike<number>): Compared {
  return { what, ours: relErr(ours, truth), torch: relErr(torch32, truth), oursVsTorch: relErr(ours, torch32) };
}

/** Every comparison within 1e-4 of float64 and of PyTorch float32, and near PyTorch float32's own error; one summary line. */
function check(label: string, rows: readonly Compared[]): void {
  for (const r of rows) {
    const msg = `${r.what}: ours ${r.ours.toExponential(2)} vs float64, PyTorch float32 ${r.torch.toExponential(2)}`;
    expect(r.ours, msg).to.be.below(1e-4);
    expect(r.oursVsTorch, `${r.what} against PyTorch float32`).to.be.below(1e-4);
    // Ours may be a few times PyTorch float32's error, not orders (a ReLU-kink flip would be).
    expect(r.ours, msg).to.be.below(Math.max(10 * r.torch, 2e-6));
  }
  const worst = rows.reduce((a, r) => (r.ours > a.ours ? r : a));
  const worstTorch = Math.max(...rows.map((r) => r.torch));
  process.stdout.write(`      ${label}: worst rel. error vs float64 ours ${worst.ours.toExponential(2)} (${worst.what}), PyTorch f32 worst ${worstTorch.toExponential(2)}\n`);
}

const scalar = (fx: TorchFixture, key: string) => fx.manifest.scalars[key] as number;

for (const name of ['mlp', 'resnet', 'vit']) {
  describe(`PyTorch parity of the training graph: ${name}`, () => {
    const fx = loadTorchFixture(name);
    it('loss, every parameter gradient and the BatchNorm updates within 1e-4 of float64 (and of PyTorch float32)', async () => {
      const art = buildArtifacts(loadModel(fx.modelPath));
      expect(art.params.map((p) => p.name)).to.have.members(fx.manifest.params);
      expect(art.buffers.map((p) => p.name)).to.have.members(fx.manifest.buffers);
      const out = await runTrainingGraph(fx, art, 'grad/input', 'grad/labels');
      const rows = [compare('loss', [out.loss.data[0] as number], [scalar(fx, 'loss')], [scalar(fx, 'f64/loss')])];
      for (const p of art.params) rows.push(compare(`grad of ${p.name}`, out[`${p.name}_grad`].data as Float32Array, fx.f32(`grad/${p.name}`).data, fx.f64(`f64/grad/${p.name}`).data));
      for (const b of art.buffers) rows.push(compare(`update of ${b.name}`, out[`${b.name}_updated`].data as Float32Array, fx.f32(`grad/bn_updated/${b.name}`).data, fx.f64(`f64/grad/bn_updated/${b.name}`).data));
      check(name, rows);
    });
    it('with label smoothing 0.1', async () => {
      const art = buildArtifacts(loadModel(fx.modelPath), { labelSmoothing: 0.1 });
      const out = await runTrainingGraph(fx, art, 'grad/input', 'grad/labels');
      const rows = [compare('loss', [out.loss.data[0] as number], [scalar(fx, 'loss_ls')], [scalar(fx, 'f64/loss_ls')])];
      for (const p of art.params) rows.push(compare(`grad of ${p.name}`, out[`${p.name}_grad`].data as Float32Array, fx.f32(`grad_ls/${p.name}`).data, fx.f64(`f64/grad_ls/${p.name}`).data));
      check(`${name}, label smoothing`, rows);
    });
  });
}
