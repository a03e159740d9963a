// Loss, every parameter gradient and the BatchNorm running statistics of our training graphs
// against PyTorch autograd on the committed fixtures (tools/make_torch_fixtures.py).
import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { buildArtifacts, TrainingArtifacts } from '../../src/autodiff/artifacts';
import { loadModel, serializeModel } from '../../src/onnx/io';
import { relErr } from './check-gradient';
import { loadTorchFixture, TorchFixture } from '../torch-fixture';

async function runTraining(fx: TorchFixture, art: TrainingArtifacts): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(serializeModel(art.trainingModel));
  const x = fx.f32('grad/input');
  const y = fx.i64('grad/labels');
  const feeds: Record<string, ort.Tensor> = {
    [art.dataInputs[0].name]: new ort.Tensor('float32', x.data, x.dims),
    labels: new ort.Tensor('int64', y.data, y.dims),
  };
  for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
  return session.run(feeds);
}

for (const name of ['mlp', 'resnet', 'vit']) {
  describe(`PyTorch parity of the training graph: ${name}`, () => {
    const fx = loadTorchFixture(name);
    it('loss, every parameter gradient and the BatchNorm updates within 1e-4', async () => {
      const art = buildArtifacts(loadModel(fx.modelPath));
      expect(art.params.map((p) => p.name)).to.have.members(fx.manifest.params);
      expect(art.buffers.map((p) => p.name)).to.have.members(fx.manifest.buffers);
      const out = await runTraining(fx, art);
      expect(relErr([out.loss.data[0] as number], [fx.manifest.scalars.loss as number])).to.be.below(1e-4);
      for (const p of art.params) {
        expect(relErr(out[`${p.name}_grad`].data as Float32Array, fx.f32(`grad/${p.name}`).data), `grad of ${p.name}`).to.be.below(1e-4);
      }
      for (const b of art.buffers) {
        expect(relErr(out[`${b.name}_updated`].data as Float32Array, fx.f32(`grad/bn_updated/${b.name}`).data), `update of ${b.name}`).to.be.below(1e-4);
      }
    });
    it('with label smoothing 0.1', async () => {
      const art = buildArtifacts(loadModel(fx.modelPath), { labelSmoothing: 0.1 });
      const out = await runTraining(fx, art);
      expect(relErr([out.loss.data[0] as number], [fx.manifest.scalars.loss_ls as number])).to.be.below(1e-4);
      for (const p of art.params) {
        expect(relErr(out[`${p.name}_grad`].data as Float32Array, fx.f32(`grad_ls/${p.name}`).data), `grad of ${p.name}`).to.be.below(1e-4);
      }
    });
  });
}
