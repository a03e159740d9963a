import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputPathError, makeOutputDirectory, readRegularFile } from '../../src/core/safe-fs';

describe('core/safe-fs', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-safefs-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const fail = (m: string): Error => new OutputPathError(m);

  it('creates nested folders and accepts an existing one', () => {
    const d = path.join(tmp, 'a', 'b', 'c');
    makeOutputDirectory(d);
    makeOutputDirectory(d);
    expect(fs.statSync(d).isDirectory()).to.equal(true);
  });

  it('refuses /proc/x in one sentence (the recursive mkdirSync of Node spins forever there)', function () {
    if (process.platform !== 'linux') this.skip();
    expect(() => makeOutputDirectory('/proc/crsam-x/y')).to.throw(OutputPathError, /cannot create the output folder \/proc\/crsam-x\/y .*choose a writable folder$/);
  });

  it('refuses a path below a file', () => {
    const f = path.join(tmp, 'file');
    fs.writeFileSync(f, 'x');
    expect(() => makeOutputDirectory(path.join(f, 'sub'))).to.throw(OutputPathError, /exists and is not a folder/);
  });

  it('reads regular files, refuses devices and oversized files before reading', function () {
    const f = path.join(tmp, 'r');
    fs.writeFileSync(f, 'hello');
    expect(readRegularFile(f, 'the file', fail).toString()).to.equal('hello');
    expect(() => readRegularFile(f, 'the file', fail, 3)).to.throw(OutputPathError, /has 5 bytes, more than the 3/);
    if (process.platform === 'win32') this.skip();
    expect(() => readRegularFile('/dev/zero', 'the file', fail)).to.throw(OutputPathError, /is a device, not a regular file/);
  });
});
