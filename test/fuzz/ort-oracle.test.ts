// ONNX Runtime as the oracle (ort-oracle.ts), at a fixed seed: no mutant of the zoo and fixture
// models that ONNX Runtime refuses is accepted by crsam, and none gives an internal error. The
// classes still open are listed (KNOWN_OPEN) and printed when drawn, not hidden.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { oracleMismatches } from './ort-oracle';
import { ORACLE_BASES } from './oracle-bases';
import { repoRoot } from '../repo-root';

/**
 * Mismatches crsam cannot see statically: an edit whose damage shows only at run time, in sizes
 * that are symbolic when the model is loaded (an LSTM's shape arithmetic gathering another axis,
 * a Transpose without perm before an attention MatMul of symbolic sizes).
 */
const KNOWN_OPEN = [/^Gather\.axis /, /^Transpose\.perm removed$/];

describe('fuzz: ONNX Runtime as the oracle for crsam\'s model checks', function () {
  this.timeout(300000);
  it('every seeded attribute or element-type mutant that ONNX Runtime refuses, crsam refuses', async () => {
    const root = repoRoot();
    const bases = ORACLE_BASES.map((f) => ({ name: f, bytes: fs.readFileSync(path.join(root, f)) }));
    let tried = 0;
    const found = await oracleMismatches(bases, 20261202, 400, () => { tried++; });
    const open = found.filter((m) => m.crsam.outcome !== 'internal' && KNOWN_OPEN.some((k) => k.test(m.mutant.cls)));
    for (const m of open) process.stdout.write(`      (known open class, not checked: ${m.mutant.cls}: ${m.mutant.what})\n`);
    const rest = found.filter((m) => !open.includes(m));
    expect(rest.map((m) => `${m.mutant.cls}: ${m.mutant.what}\n  crsam ${m.crsam.outcome}: ${m.crsam.message.split('\n')[0]}\n  ORT: ${m.ort.refused ? m.ort.message : 'runs it'}`).join('\n'), 'mismatches').to.equal('');
    expect(tried).to.equal(400);
  });
});
