// Shape rules of RNN, GRU and LSTM: Y [seq, dirs, batch, hidden] and the final states
// [dirs, batch, hidden] (layout 1: batch first, [batch, seq, dirs, hidden] and [batch, dirs, hidden]).
import { attrInt, attrString, Dim } from '../ir';
import { ShapeRule } from '../shape-inference';

function recurrent(states: number): ShapeRule {
  return (ctx) => {
    const x = ctx.req(0);
    const layout = attrInt(ctx.node, 'layout', 0);
    const dirs = attrString(ctx.node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
    const r = ctx.input(2)?.shape;
    const hidden: Dim = attrInt(ctx.node, 'hidden_size') ?? r?.[2] ?? null;
    const seq: Dim = x.shape ? x.shape[layout === 0 ? 0 : 1] : null;
    const batch: Dim = x.shape ? x.shape[layout === 0 ? 1 : 0] : null;
    const y = { dtype: x.dtype, shape: layout === 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden] };
    const state = { dtype: x.dtype, shape: layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden] };
    return [y, ...new Array<typeof state>(states).fill(state)];
  };
}

export const rnn: ShapeRule = recurrent(1);
export const gru: ShapeRule = recurrent(1);
export const lstm: ShapeRule = recurrent(2);
