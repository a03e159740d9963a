import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DataType } from '../../src/onnx/dtype';
import { Model } from '../../src/onnx/ir';
import { OnnxFormatError, loadModel, saveModel, serializeModel } from '../../src/onnx/io';
import { loadTorchFixture } from '../torch-fixture';

function tiny(): Model {
  const w = Float32Array.from({ length: 600 }, (_, i) => Math.sin(i));
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '1', domain: '', modelVersion: 3, docString: 'doc',
    metadataProps: new Map([['author', 'crsam']]),
    graph: {
      name: 'g', docString: 'graph doc',
      inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: ['N', 20] }],
      outputs: [{ name: 'y', dtype: DataType.FLOAT, shape: ['N', 30] }],
      initializers: new Map([['w', { name: 'w', dtype: DataType.FLOAT, dims: [20, 30], data: w }], ['s', { name: 's', dtype: DataType.INT64, dims: [2], data: BigInt64Array.of(-1n, 30n) }]]),
      valueInfo: new Map(),
      nodes: [
        { opType: 'MatMul', domain: '', name: 'mm', inputs: ['x', 'w'], outputs: ['h'], attributes: new Map() },
        { opType: 'Reshape', domain: '', name: 'rs', inputs: ['h', 's'], outputs: ['y'], attributes: new Map([['allowzero', { type: 'int', value: 0 }]]) },
      ],
    },
  };
}

describe('ONNX file I/O', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-io-'));

  it('round-trips a model with metadata, symbolic dims and attributes', () => {
    const m = loadModel(serializeModel(tiny()));
    expect(m.modelVersion).to.equal(3);
    expect(m.metadataProps.get('author')).to.equal('crsam');
    expect(m.graph.inputs[0].shape).to.deep.equal(['N', 20]);
    expect(Array.from(m.graph.initializers.get('s')?.data as BigInt64Array)).to.deep.equal([-1n, 30n]);
    expect((m.graph.initializers.get('w')?.data as Float32Array)[5]).to.equal(Math.fround(Math.sin(5)));
    expect(m.graph.nodes[1].attributes.get('allowzero')).to.deep.equal({ type: 'int', value: 0 });
  });

  it('writes and reads weights as external data next to the model, and ORT runs it', async () => {
    const file = path.join(tmp, 'ext.onnx');
    saveModel(tiny(), file, { externalData: 'ext.onnx.data', externalDataThreshold: 100 });
    expect(fs.statSync(path.join(tmp, 'ext.onnx.data')).size).to.be.at.least(2400);
    expect(fs.statSync(file).size).to.be.below(1000);
    const m = loadModel(file);
    expect(Array.from((m.graph.initializers.get('w')?.data as Float32Array).slice(0, 3))).to.deep.equal(Array.from(tiny().graph.initializers.get('w')?.data as Float32Array).slice(0, 3));
    const s = await ort.InferenceSession.create(file);
    const r = await s.run({ x: new ort.Tensor('float32', new Float32Array(40).fill(1), [2, 20]) });
    expect(r.y.dims).to.deep.equal([2, 30]);
  });

  it('refuses a truncated file with one sentence', () => {
    const fx = loadTorchFixture('mlp');
    const bytes = fs.readFileSync(fx.modelPath);
    const cut = path.join(tmp, 'cut.onnx');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 5000));
    expect(() => loadModel(cut)).to.throw(OnnxFormatError, /truncated or corrupt/);
  });

  it('refuses a file that is not ONNX', () => {
    const junk = path.join(tmp, 'junk.onnx');
    fs.writeFileSync(junk, 'this is not a model at all, just text');
    expect(() => loadModel(junk)).to.throw(OnnxFormatError);
  });

  it('keeps a field the schema does not know instead of dropping it', () => {
    const bytes = serializeModel(tiny());
    // Append field 99 (varint) to the ModelProto.
    const field = Buffer.from([(99 << 3) & 0x7f | 0x80, 99 >> 4, 1]);
    const extra = Buffer.concat([Buffer.from(bytes), field]);
    const again = Buffer.from(serializeModel(loadModel(extra)));
    expect(again.subarray(again.length - field.length)).to.deep.equal(field);
  });

  it('names a field it cannot keep: an unknown one inside a part crsam rewrites', () => {
    const m = tiny();
    // Field 9 (varint) inside the ModelProto's first opset_import entry, which crsam rebuilds.
    const entry = Buffer.from([0x0a, 0x00, 0x10, 0x11, 0x48, 0x01]); // domain '', version 17, field 9 = 1
    m.opsetImports = [];
    const bytes = Buffer.concat([Buffer.from(serializeModel({ ...m, opsetImports: [] })), Buffer.from([0x42, entry.length]), entry]);
    expect(() => loadModel(bytes)).to.throw(OnnxFormatError, /field number 9 of ModelProto\.opset_import/);
  });

  it('says which external data file is missing', () => {
    const file = path.join(tmp, 'ext2.onnx');
    saveModel(tiny(), file, { externalData: 'ext2.onnx.data', externalDataThreshold: 100 });
    fs.unlinkSync(path.join(tmp, 'ext2.onnx.data'));
    expect(() => loadModel(file)).to.throw(OnnxFormatError, /ext2\.onnx\.data .*missing/);
  });

  it('says when a path does not exist', () => {
    expect(() => loadModel(path.join(tmp, 'nope.onnx'))).to.throw(OnnxFormatError, /does not exist/);
  });
});
