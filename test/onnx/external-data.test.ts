// External data is read only from regular files inside the model's folder, after resolving
// symlinks, and only as many bytes as the tensor declares: a model file cannot make crsam read
// (and copy into its outputs) any other file on the machine.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnnxFormatError, loadModel, saveModel } from '../../src/onnx/io';
import { escapeFixture, rewriteExternal, tinyModel } from './external-fixture';

describe('external data: confined to the model folder', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-ext-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('loads data next to the model, also through a symlinked model folder', () => {
    const dir = path.join(tmp, 'ok');
    saveModel(tinyModel(), path.join(dir, 'm.onnx'), { externalData: 'm.data', externalDataThreshold: 100 });
    fs.symlinkSync(dir, path.join(tmp, 'ok-link'));
    for (const f of [path.join(dir, 'm.onnx'), path.join(tmp, 'ok-link', 'm.onnx')]) {
      expect((loadModel(f).graph.initializers.get('w')?.data as Float32Array)[1]).to.equal(Math.fround(Math.sin(1)));
    }
  });

  for (const kind of ['dotdot', 'absolute', 'symlink', 'symlinked-folder'] as const) {
    it(`refuses a ${kind} escape in one sentence naming the tensor and the path`, () => {
      const fx = escapeFixture(path.join(tmp, kind), kind);
      const err = captureError(() => loadModel(fx.model));
      expect(err).to.be.instanceOf(OnnxFormatError);
      expect(err.message).to.match(/tensor 'w' has its external data at '.+', .*crsam reads external data only from files inside the model's folder$/);
      expect(err.message).to.include(fx.location);
      expect(err.message.split(/[.;] [A-Z]/)).to.have.length(1);
    });
  }

  it('refuses a FIFO and /dev/zero (through a symlink) without blocking or reading forever', function () {
    if (process.platform === 'win32') this.skip();
    const dir = path.join(tmp, 'fifo');
    saveModel(tinyModel(), path.join(dir, 'm.onnx'), { externalData: 'm.data', externalDataThreshold: 100 });
    fs.rmSync(path.join(dir, 'm.data'));
    execFileSync('mkfifo', [path.join(dir, 'm.data')]);
    expect(() => loadModel(path.join(dir, 'm.onnx'))).to.throw(OnnxFormatError, /is a FIFO \(named pipe\), not a regular file/);
    fs.rmSync(path.join(dir, 'm.data'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'm.data'));
    expect(() => loadModel(path.join(dir, 'm.onnx'))).to.throw(OnnxFormatError, /leads \(through a symbolic link\) to \/dev\/zero/);
    fs.rmSync(path.join(dir, 'm.data'));
    fs.mkdirSync(path.join(dir, 'm.data'));
    expect(() => loadModel(path.join(dir, 'm.onnx'))).to.throw(OnnxFormatError, /is a folder, not a regular file/);
    // The model file itself.
    expect(() => loadModel('/dev/zero')).to.throw(OnnxFormatError, /\/dev\/zero is a device, not a regular file/);
    expect(() => loadModel(path.join(dir, 'm.data'))).to.throw(OnnxFormatError, /is a folder/);
  });

  it('checks offset and length against the file and the declared dims before allocating', () => {
    const dir = path.join(tmp, 'sizes');
    const model = path.join(dir, 'm.onnx');
    saveModel(tinyModel(), model, { externalData: 'm.data', externalDataThreshold: 100 });
    const base = fs.readFileSync(model);
    const variant = (patch: (kv: Map<string, string>, dims: number[]) => number[] | void): string => {
      const f = path.join(dir, `v${Math.random().toString(36).slice(2)}.onnx`);
      fs.writeFileSync(f, rewriteExternal(base, patch));
      return f;
    };
    expect(() => loadModel(variant((kv) => { kv.set('offset', '1000000'); }))).to.throw(OnnxFormatError, /is truncated: tensor 'w' needs bytes 1000000\.\./);
    expect(() => loadModel(variant((kv) => { kv.set('length', '8'); }))).to.throw(OnnxFormatError, /declares 8 bytes of external data but its dims and type need 2400/);
    expect(() => loadModel(variant((kv) => { kv.set('offset', '-4'); }))).to.throw(OnnxFormatError, /offset '-4', which is not a byte count/);
    // 4 TB declared by a few bytes of protobuf: refused from the sizes alone, nothing allocated.
    const before = process.memoryUsage().arrayBuffers;
    expect(() => loadModel(variant((kv) => { kv.delete('length'); return [1 << 20, 1 << 20]; }))).to.throw(OnnxFormatError, /is truncated: tensor 'w' needs bytes 0\.\.4398046511104/);
    expect(() => loadModel(variant(() => [-20, -30]))).to.throw(OnnxFormatError, /dimension -20/);
    expect(process.memoryUsage().arrayBuffers - before).to.be.below(50e6);
  });
});

function captureError(f: () => unknown): Error {
  try { f(); } catch (e) { return e as Error; }
  throw new Error('expected an error');
}
