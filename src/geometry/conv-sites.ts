// Convolution weight gradients handled by hand in the HVP graph. Differentiating the generic
// im2col lowering of dW = Σ X ⋆ dY a second time keeps the k·k-times-larger column matrix alive
// and scatters it back with k·k Pads and a Sum (measured on ResNet-20, batch 128: over half of
// the HVP's time). But dW is bilinear, so its second-order terms are two plain convolutions:
//   ∂⟨dW, V⟩/∂dY = conv(X, V)        ∂⟨dW, V⟩/∂X = conv_adjoint(dY, V)
// and the seed V reaching dW is exactly the parameter's v (s = Σ⟨g_p, v_p⟩ is linear in g).
// So: the first backward pass runs with each conv weight behind a stop-gradient Identity (it emits
// dX and dB but no dW) and reports dY; we emit dW ourselves, keep the second pass out of it, and
// seed the second pass with the two convolutions above.
import { GraphBuilder, staticShape } from '../onnx/builder';
import { ConvGeometry, convGeometry } from '../onnx/conv-geometry';
import { Node, attrInt, attrInts } from '../onnx/ir';
import { convDw, convDx } from '../autodiff/lowering/conv';
import { attr } from '../onnx/attr';

export interface ConvSite {
  /** The forward Conv node (its weight input now reads `stopped`). */
  readonly node: Node;
  readonly x: string;
  /** The parameter feeding the weight. */
  readonly weight: string;
  /** The Conv's output, whose gradient dY the first pass reports. */
  readonly y: string;
  /** The stop-gradient Identity between the parameter and the Conv. */
  readonly stop: Node;
  readonly geometry: ConvGeometry;
  readonly group: number;
  readonly inSpatial: readonly number[];
  readonly cin: number;
  readonly cout: number;
}

/**
 * Puts a stop-gradient Identity between each parameter and the Conv nodes it is the weight of
 * (static shapes only; other convs stay with the generic path). Returns the sites.
 */
export function isolateConvWeights(b: GraphBuilder, params: ReadonlySet<string>): ConvSite[] {
  const sites: ConvSite[] = [];
  for (const node of [...b.graph.nodes]) {
    if (node.opType !== 'Conv' || node.domain !== '' || !params.has(node.inputs[1])) continue;
    const xs = b.shape(node.inputs[0]);
    const ws = staticShape(b.shape(node.inputs[1]));
    const spatial = xs?.slice(2);
    if (!ws || !spatial || !spatial.every((d): d is number => typeof d === 'number')) continue;
    const group = attrInt(node, 'group', 1);
    const geometry = convGeometry(node, spatial, attrInts(node, 'kernel_shape') ?? ws.slice(2));
    const weight = node.inputs[1];
    const stopped = b.op('Identity', [weight], {}, `${weight}_stopped`);
    const stop = b.graph.nodes.pop() as Node;
    // ONNX wants nodes in topological order: the Identity goes right before its Conv.
    b.graph.nodes.splice(b.graph.nodes.indexOf(node), 0, stop);
    stop.meta = { noGrad: true };
    node.inputs[1] = stopped;
    sites.push({ node, x: node.inputs[0], weight, y: node.outputs[0], stop, geometry, group, inSpatial: spatial, cin: ws[1] * group, cout: ws[0] });
  }
  return sites;
}

/** Emits dW = Σ X ⋆ dY for a site, with every emitted node kept out of later backward passes. */
export function emitConvWeightGradient(b: GraphBuilder, site: ConvSite, dy: string): string {
  const start = b.graph.nodes.length;
  const dw = convDw(b, site.x, dy, site.geometry, site.group, site.cin, site.cout);
  for (const n of b.graph.nodes.slice(start)) n.meta = { ...n.meta, noGrad: true };
  return dw;
}

/** The second-order seeds of a site's dW for the seed V: contributions to dY and to X. */
export function convWeightSeeds(b: GraphBuilder, site: ConvSite, dy: string, v: string): { dy: string; x: string } {
  const g = site.geometry;
  const toDy = b.op('Conv', [site.x, v], { kernel_shape: attr.ints(g.kernel), strides: attr.ints(g.strides), pads: attr.ints(g.pads), dilations: attr.ints(g.dilations), group: attr.int(site.group) });
  const toX = convDx(b, dy, v, g, site.group, site.inSpatial);
  return { dy: toDy, x: toX };
}
