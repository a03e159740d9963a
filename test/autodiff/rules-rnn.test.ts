// RNN, GRU and LSTM unrolled (src/autodiff/lowering/recurrent.ts) and differentiated by the
// driver, against central finite differences through ONNX Runtime's own fused kernels (float32:
// ORT has no float64 RNN kernels; its layout-1 refusal is met as the eval graphs meet it, by Transposes), so the unrolled forward must agree with ORT's semantics too.
import { expect } from 'chai';
import { CheckOptions, ConstInput, InputSpec, checkGradient } from './check-gradient';

const OMIT = { omit: true } as const;
const lens = (v: number[]): ConstInput => ({ const: v, dims: [v.length], dtype: 'int32' });
// Batch 3 (never equal to the direction count, so the symbolic-batch rerun marks only batch dims).
const SEQ = 4;
const BATCH = 3;
const IN = 2;
const H = 3;
const f32: CheckOptions = { range: [-0.8, 0.8], tol: 3e-2, float32: true };
const noSym: CheckOptions = { ...f32, symbolic: false };

/** X, W, R, B, sequence_lens, initial_h[, initial_c, P] for `gates` gates and `dirs` directions. */
function specs(gates: number, dirs: number, o: { layout?: number; lens?: number[]; h0?: boolean; c0?: boolean; bias?: boolean; peep?: boolean } = {}): InputSpec[] {
  const layout = o.layout ?? 0;
  const x = layout === 0 ? [SEQ, BATCH, IN] : [BATCH, SEQ, IN];
  const state = layout === 0 ? [dirs, BATCH, H] : [BATCH, dirs, H];
  const list: InputSpec[] = [x, [dirs, gates * H, IN], [dirs, gates * H, H], o.bias === false ? OMIT : [dirs, 2 * gates * H], o.lens ? lens(o.lens) : OMIT, o.h0 ? state : OMIT];
  if (gates === 4) list.push(o.c0 ? state : OMIT, o.peep ? [dirs, 3 * H] : OMIT);
  while (list.length > 0 && 'omit' in (list[list.length - 1] as object)) list.pop();
  return list;
}

describe('gradient rules: recurrent (unrolled)', () => {
  describe('RNN', () => {
    it('tanh, forward, bias, no initial state', () => checkGradient('RNN', specs(1, 1), { hidden_size: H }, { ...noSym, outputs: 2 }));
    it('relu, reverse, initial state', () => checkGradient('RNN', specs(1, 1, { h0: true }), { hidden_size: H, direction: 'reverse', activations: ['Relu'] }, { ...noSym, outputs: 2 }));
    it('bidirectional, layout 1 (symbolic batch), sequence_lens', () => checkGradient('RNN', specs(1, 2, { layout: 1, lens: [4, 2, 3], h0: true }), { hidden_size: H, direction: 'bidirectional', layout: 1 }, { ...f32, outputs: 2 }));
  });
  describe('GRU', () => {
    it('forward, linear_before_reset 1 (as PyTorch exports)', () => checkGradient('GRU', specs(3, 1, { h0: true }), { hidden_size: H, linear_before_reset: 1 }, { ...noSym, outputs: 2 }));
    it('forward, linear_before_reset 0, no initial state', () => checkGradient('GRU', specs(3, 1), { hidden_size: H }, { ...noSym, outputs: 2 }));
    it('bidirectional, sequence_lens, linear_before_reset 1', () => checkGradient('GRU', specs(3, 2, { lens: [4, 1, 3], h0: true }), { hidden_size: H, direction: 'bidirectional', linear_before_reset: 1 }, { ...noSym, outputs: 2 }));
    it('reverse, layout 1, no bias, linear_before_reset 0', () => checkGradient('GRU', specs(3, 1, { layout: 1, bias: false, h0: true }), { hidden_size: H, direction: 'reverse', layout: 1 }, { ...f32, outputs: 2 }));
  });
  describe('LSTM', () => {
    it('forward, no initial state', () => checkGradient('LSTM', specs(4, 1), { hidden_size: H }, { ...noSym, outputs: 3 }));
    it('forward, initial h and c, peepholes', () => checkGradient('LSTM', specs(4, 1, { h0: true, c0: true, peep: true }), { hidden_size: H }, { ...noSym, outputs: 3 }));
    it('reverse, sequence_lens', () => checkGradient('LSTM', specs(4, 1, { lens: [2, 4, 3], h0: true, c0: true }), { hidden_size: H, direction: 'reverse' }, { ...noSym, outputs: 3 }));
    it('bidirectional, layout 1 (symbolic batch), sequence_lens', () => checkGradient('LSTM', specs(4, 2, { layout: 1, lens: [3, 4, 1], h0: true, c0: true }), { hidden_size: H, direction: 'bidirectional', layout: 1 }, { ...f32, outputs: 3 }));
  });
  it('refuses a symbolic sequence length in one sentence', async () => {
    let message = '';
    try {
      // Layout 0: dim 0 is the sequence, which the symbolic rerun makes symbolic.
      await checkGradient('RNN', specs(1, 1), { hidden_size: H }, { ...f32, outputs: 2 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/^RNN node '.*' runs over a sequence of symbolic length; .* needs a fixed sequence length .*\)$/);
  });
});
