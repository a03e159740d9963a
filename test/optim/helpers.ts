// Shared assertions and fixtures for the optimizer tests.
import * as fs from 'node:fs';
import { expect } from 'chai';
import { fixturePath } from '../repo-root';

/**
 * Asserts |a − e| ≤ rel·|e| + abs element by element, naming the first element that fails so a
 * regression says where it is.
 */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs = 0, what = 'value'): void {
  expect(actual.length, `${what} length`).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const tol = rel * Math.abs(e) + abs;
    expect(Math.abs(a - e) <= tol, `${what}[${i}] = ${a}, expected ${e} ± ${tol}`).to.equal(true);
  }
}

/** Scalar form of expectAllClose. */
export function expectClose(actual: number | undefined, expected: number, rel: number, abs = 0, what = 'value'): void {
  expect(actual, `${what} is defined`).to.be.a('number');
  expectAllClose([actual as number], [expected], rel, abs, what);
}

/** Reads a file under test/fixtures/optim, from the sources (tsx) or from dist/ (compiled tests). */
export function readFixture(name: string): string {
  return fs.readFileSync(fixturePath('optim', name), 'utf8');
}
