// A model file whose external data points outside its folder (../, an absolute path, a symlink) is
// refused by every command that loads models, in one sentence, and the outside file's bytes reach
// nothing the command writes.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EscapeKind, escapeFixture } from '../onnx/external-fixture';
import { repoRoot } from '../repo-root';

const root = repoRoot();
const bin = path.join(root, 'bin', 'crsam.js');

function crsam(args: string[]): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, timeout: 120000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

/** Every file below `dir` (following no symlinks), with its bytes. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesBelow(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const COMMANDS: Record<string, (model: string, out: string) => string[]> = {
  artifacts: (m, out) => ['artifacts', m, '-o', out],
  train: (m, out) => ['train', '--model', m, '--data', 'synthetic', '--epochs', '1', '--out', out],
  eval: (m) => ['eval', m, '--data', 'synthetic'],
  analyze: (m, out) => ['analyze', m, '--data', 'synthetic', '--samples', '8', '--out', out],
};

describe('crsam command line: model files are confined to their folder', function () {
  this.timeout(300000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-confined-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const [command, argsFor] of Object.entries(COMMANDS)) {
    it(`crsam ${command} refuses ../, absolute and symlink escapes and writes none of the outside bytes`, () => {
      for (const kind of ['dotdot', 'absolute', 'symlink'] as EscapeKind[]) {
        const fx = escapeFixture(path.join(tmp, `${command}-${kind}`), kind, path.join(root, 'models', 'mlp.onnx'));
        const out = path.join(tmp, `${command}-${kind}`, 'out');
        const r = crsam(argsFor(fx.model, out));
        expect(r.code, r.stderr).to.equal(1);
        const lines = r.stderr.trim().split('\n');
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(/^crsam: .*tensor '.+' has its external data at '.+', .*only from files inside the model's folder$/);
        expect(lines[0]).to.include(fx.location);
        const written = filesBelow(path.join(tmp, `${command}-${kind}`)).filter((f) => f !== fx.secret);
        const needle = fx.secretBytes.subarray(0, 64);
        for (const f of written) expect(fs.readFileSync(f).includes(needle), `${f} holds the outside file's bytes`).to.equal(false);
        // Nothing is written before the model is refused (train's run-config.json is the run folder's business).
        expect(filesBelow(out).map((f) => path.basename(f)).filter((n) => n !== 'run-config.json'), `${command} wrote before refusing`).to.deep.equal([]);
      }
    });
  }
});
