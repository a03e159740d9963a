import { expect } from 'chai';
import * as fs from 'node:fs';
import { TYPES_FILE, generateOnnxTypes } from '../../tools/gen-onnx-types';

describe('the generated ONNX message types', () => {
  it('match the schema (regenerate with npm run gen:onnx-types)', function () {
    this.timeout(60_000); // pbjs and pbts start jsdoc: several seconds on a busy machine
    expect(fs.readFileSync(TYPES_FILE, 'utf8')).to.equal(generateOnnxTypes());
  });
});
