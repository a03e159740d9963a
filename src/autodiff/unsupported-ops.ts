// One error that names every op the model uses without a shape rule or a gradient rule (op, its
// nodes, the opset), so a user who adds a rule does not meet the next missing op one at a time.
import { Node } from '../onnx/ir';
import { supportedOps } from './registry';
import { AutodiffError } from './types';

/** Which rule an op lacks: a shape rule (we cannot even read the graph) or a gradient rule. */
export type MissingRule = 'shape' | 'gradient';

export interface MissingOp {
  readonly opType: string;
  readonly domain: string;
  readonly nodes: readonly string[];
  readonly missing: MissingRule;
}

/** The model uses ops crsam has no rule for; `ops` lists every one of them. */
export class UnsupportedOpsError extends AutodiffError {
  constructor(message: string, readonly ops: readonly MissingOp[]) {
    super(message);
  }
}

const NODES_NAMED = 3;

/** Groups nodes by op (first-seen order) and says which rule each op lacks. */
export function missingOps(nodes: readonly Node[], missing: (n: Node) => MissingRule | undefined): MissingOp[] {
  const byOp = new Map<string, { opType: string; domain: string; nodes: string[]; missing: MissingRule }>();
  for (const n of nodes) {
    const m = missing(n);
    if (!m) continue;
    const key = `${n.domain}.${n.opType}`;
    const entry = byOp.get(key) ?? { opType: n.opType, domain: n.domain, nodes: [], missing: m };
    entry.nodes.push(n.name || `#${nodes.indexOf(n)}`);
    byOp.set(key, entry);
  }
  return [...byOp.values()];
}

function describe(op: MissingOp, opset: number): string {
  const named = op.nodes.slice(0, NODES_NAMED).map((n) => `'${n}'`).join(', ');
  const more = op.nodes.length > NODES_NAMED ? ` and ${op.nodes.length - NODES_NAMED} more` : '';
  return `op ${op.domain ? `${op.domain}.` : ''}${op.opType} (node${op.nodes.length > 1 ? 's' : ''} ${named}${more}, opset ${opset})`;
}

/** The one-sentence error for a non-empty list of missing ops. */
export function unsupportedOpsError(ops: readonly MissingOp[], opset: number): UnsupportedOpsError {
  const shape = ops.filter((o) => o.missing === 'shape');
  const grad = ops.filter((o) => o.missing === 'gradient');
  const parts: string[] = [];
  if (shape.length) parts.push(`no shape rule for ${shape.map((o) => describe(o, opset)).join(', ')}`);
  if (grad.length) parts.push(`no gradient rule for ${grad.map((o) => describe(o, opset)).join(', ')}`);
  const n = ops.length;
  const message = `crsam cannot differentiate ${n === 1 ? 'an op' : `${n} ops`} of this model yet (re-export without ${n === 1 ? 'it' : 'them'}, or add the rules in src/onnx/shape-rules/ and src/autodiff/rules/): `
    + `${parts.join('; ')}; supported ops: ${supportedOps().join(', ')}`;
  return new UnsupportedOpsError(message, ops);
}
