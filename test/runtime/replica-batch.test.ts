// Shards of a batch and the weighted reduction that makes the replicas' results the full batch's.
import { expect } from 'chai';
import { shardArrays, shardSizes, shardStarts, weightedSum } from '../../src/runtime/replica-batch';

describe('runtime/replica-batch', () => {
  it('splits n samples into contiguous shards differing by at most one', () => {
    expect(shardSizes(5, 2)).to.deep.equal([3, 2]);
    expect(shardSizes(7, 3)).to.deep.equal([3, 2, 2]);
    expect(shardSizes(3, 4)).to.deep.equal([1, 1, 1, 0]);
    expect(shardSizes(8, 1)).to.deep.equal([8]);
    expect(shardStarts([3, 2, 2])).to.deep.equal([0, 3, 5]);
  });

  it('a shard is a view of its samples and labels', () => {
    const data = Float32Array.from({ length: 5 * 2 }, (_, i) => i);
    const s = shardArrays({ data: { x: { data, dims: [5, 2] } }, labels: BigInt64Array.of(0n, 1n, 2n, 3n, 4n) }, 3, 2);
    expect(Array.from(s.data.x.data)).to.deep.equal([6, 7, 8, 9]);
    expect(s.data.x.dims).to.deep.equal([2, 2]);
    expect(Array.from(s.labels)).to.deep.equal([3n, 4n]);
    expect(s.data.x.data.buffer).to.equal(data.buffer);
  });

  it('weighted sums of 2 and of 3 parts', () => {
    const out = new Float32Array(2);
    weightedSum(out, [Float32Array.of(1, 2), Float32Array.of(4, 8)], [0.6, 0.4]);
    expect(Array.from(out)).to.deep.equal([Math.fround(2.2), Math.fround(4.4)]);
    weightedSum(out, [Float32Array.of(3, 0), Float32Array.of(0, 3), Float32Array.of(3, 3)], [3 / 7, 2 / 7, 2 / 7]);
    expect(out[0]).to.be.closeTo(15 / 7, 1e-6);
    expect(out[1]).to.be.closeTo(12 / 7, 1e-6);
  });
});
