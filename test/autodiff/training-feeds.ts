// Runs a training graph on a PyTorch fixture's batch (the input and labels the fixture stores).
import * as ort from 'onnxruntime-node';
import { TrainingArtifacts } from '../../src/autodiff/artifacts';
import { serializeModel } from '../../src/onnx/io';
import { TorchFixture } from '../torch-fixture';

export async function runTrainingGraph(fx: TorchFixture, art: TrainingArtifacts, inputKey: string, labelsKey: string): Promise<ort.InferenceSession.OnnxValueMapType> {
  // Severity 3: ORT's notes on initializers an export left unused are not test output.
  const session = await ort.InferenceSession.create(serializeModel(art.trainingModel), { logSeverityLevel: 3 });
  const x = fx.f32(inputKey);
  const y = fx.i64(labelsKey);
  const feeds: Record<string, ort.Tensor> = {
    [art.dataInputs[0].name]: new ort.Tensor('float32', x.data, x.dims),
    labels: new ort.Tensor('int64', y.data, y.dims),
  };
  for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
