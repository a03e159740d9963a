import { expect } from 'chai';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import * as protobuf from 'protobufjs';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { loadModel, serializeModel } from '../../src/onnx/io';
import { ONNX_PROTO } from '../../src/onnx/onnx-schema';
import type { onnx } from '../../src/onnx/onnx-proto';

// Written by tools/make_newer_exporter_fixture.py: fields of IR 10+ exporters and an unknown field 99.
const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'onnx', 'newer-exporter.onnx');
const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

/** Key-value entries as plain objects (protobufjs decodes them to class instances). */
function kv(list: onnx.IStringStringEntryProto[] | null | undefined): { key: string; value: string }[] {
  return (list ?? []).map((e) => ({ key: e.key ?? '', value: e.value ?? '' }));
}

function decode(bytes: Uint8Array): onnx.IModelProto {
  return ModelProto.decode(bytes) as unknown as onnx.IModelProto;
}

/** Checks the decoded message still has every field the fixture added (read with the full schema). */
function expectNewerFields(m: onnx.IModelProto): void {
  const nodes = m.graph?.node ?? [];
  expect(kv(nodes.find((n) => n.name === 'fc1')?.metadata_props)).to.deep.equal([{ key: 'source', value: 'layer1.fc' }]);
  expect(m.configuration?.[0]).to.include({ name: 'cfg', num_devices: 1 });
  expect(kv(m.graph?.metadata_props)).to.deep.equal([{ key: 'graph_note', value: 'kept' }]);
  expect(kv(m.graph?.input?.find((v) => v.name === 'x')?.metadata_props)).to.deep.equal([{ key: 'role', value: 'pixels' }]);
}

/** The raw bytes of the unknown fields: ModelProto field 99 = 1 and NodeProto field 77 = 5. */
const FIELD_99 = Buffer.from([0x98, 0x06, 0x01]);
const FIELD_77 = Buffer.from([0xe8, 0x04, 0x05]);

describe('fields crsam does not model are kept through load, training and save', () => {
  it('the fixture really has them (read with the full schema)', () => {
    const bytes = Buffer.from(serializeModel(loadModel(FIXTURE)));
    expectNewerFields(decode(bytes));
    expect(bytes.includes(FIELD_99)).to.equal(true);
    expect(bytes.includes(FIELD_77)).to.equal(true);
  });

  it('buildArtifacts keeps them on the forward nodes and the model, and ONNX Runtime loads the output', async () => {
    const art = buildArtifacts(loadModel(FIXTURE));
    for (const model of [art.trainingModel, art.evalModel, art.inferenceModel]) {
      const bytes = Buffer.from(serializeModel(model));
      const m = decode(bytes);
      expect(kv(m.graph?.node?.find((n) => n.name === 'fc1')?.metadata_props)).to.deep.equal([{ key: 'source', value: 'layer1.fc' }]);
      expect(m.configuration?.[0]).to.include({ name: 'cfg', num_devices: 1 });
      expect(bytes.includes(FIELD_99)).to.equal(true);
      const session = await ort.InferenceSession.create(bytes);
      expect(session.inputNames).to.include('x');
      await session.release();
    }
  });

  it('an unchanged model saves with every added field in place', () => {
    const again = decode(serializeModel(loadModel(serializeModel(loadModel(FIXTURE)))));
    expectNewerFields(again);
    expect(kv(again.graph?.initializer?.find((t) => t.name === 'w1')?.metadata_props)).to.deep.equal([{ key: 'quant', value: 'none' }]);
  });
});
