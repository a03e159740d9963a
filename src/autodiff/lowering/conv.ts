// How the Conv gradients are lowered to standard ops. The choice decides training speed, so it is
// made per configuration, by measurement (numbers from `npm run bench`, 2-core machine, ORT 1.30):
//   dX, stride 1, group 1: Conv with the flipped, transposed kernel (~15 ms vs ConvTranspose ~22 ms
//   at batch 128, 16→32 ch, 32×32, 3×3); other strides/groups: ConvTranspose.
//   dW, group 1: per image. X stays batch-major ([N, Cin, ·], no transpose); each kernel offset's
//   view is sliced per image and reshaped to [N, Cin, P], dYᵀ is [N, P, Cout] (one transpose, shared
//   by the offsets), and one batched MatMul per offset gives [N, Cin, Cout], summed over N. 2-D,
//   stride 1 ('image-flat-shifts'): the padded image flattened to Hp·Wp, so an offset (i, j) is a
//   plain shift by i·Wp + j of the last axis (dY padded onto the same grid); other strides / ranks
//   ('image-offsets'): the strided views of the padded input. Chosen 2026-12-02 by an interleaved
//   A/B in one process (batch 128, 3×3, 2 threads, 25 rounds, median of paired ratios; load
//   average 3.1–3.5, the machine shared): against the former channel-major single GEMMs over
//   K = N·Hp·Wp ('flat-shift-gemms'): 16→16 32×32 0.78 (28.2 vs 36.3 ms), 32→32 16×16 0.85
//   (19.4 vs 23.7), 64→64 8×8 0.83 (15.5 vs 18.7); with the views transposed instead of dY: the
//   same (0.78/0.85/0.84); all offsets concatenated into one MatMul per image: 1.3–1.6× slower
//   (the Concat copies k·k inputs). Strided, against the former channel-major 'offset-gemms':
//   16→32 3×3 stride 2 0.95, 32→64 3×3 stride 2 1.00, 16→32 1×1 stride 2 0.65.
//   Null result: 3 column-shifted views of X (one extra padded row) against 3 row-shifted pads of
//   dY (7 copies instead of 12, but K = Hp·Wp untrimmed): 0.89 / 1.16 / 1.35 on the three layers
//   (load ≈ 10), not taken.
//   Earlier (2026-11, one GEMM per offset vs one GEMM over the concatenated im2col matrix): 25 vs
//   39 ms (16→16 32×32); a Conv over batch-transposed tensors ~63 ms.
//   Not taken (measured 2026-12-02, same protocol, 10 rounds, load 2.2–2.7): im2col by a CONSTANT
//   one-hot convolution (so ORT's prepacked path applies) is slow in ORT: the grouped one-hot Conv
//   alone (16 ch 32×32 → 144 ch) 99 ms, as [N·Cin, 1, H, W] → 9 ch 131 ms, so a forward Conv as
//   one-hot im2col + MatMul took 53 ms against 30 ms for the plain Conv with the weight as input
//   (20 ms with a constant weight); dX by one-hot im2col of dY + MatMul 79 ms, by MatMul + one-hot
//   ConvTranspose (col2im) 69 ms, against 46 (Conv, flipped kernel) and 35 (ConvTranspose).
//   Round 2 (2026-12-02, whole ResNet-20 forward + backward, batch 128, 2 threads, one process,
//   12 interleaved rounds, median of paired ratios, CPU / wall; load ≈ 9–11 on 2 cores), not taken:
//   'image-offsets' (strided 2-D views, K = Ho·Wo, no dY pad) for the stride-1 layers too:
//   1.009 / 1.002; each shift as ONE contiguous Slice of the whole flattened batch (x padded by one
//   extra zero image so the shifts stay inside; dY on the full Hp·Wp grid, wrapped terms meet its
//   zeros; gradients bit-identical): 1.055 / 1.058 (K grows, 78 → 100 at 8×8, and ORT's Slice
//   is no faster as one long copy than as N·Cin row copies).
//   dW, depthwise: per-offset Mul + ReduceSum. dW, other groups: grouped batched MatMul.
import { GraphBuilder } from '../../onnx/builder';
import { ConvGeometry } from '../../onnx/conv-geometry';
import { attr } from '../../onnx/attr';
import { tensorSize } from '../../onnx/ir';

export type DxLowering = 'conv-flipped' | 'conv-transpose';
export type DwLowering = 'image-flat-shifts' | 'image-offsets' | 'depthwise' | 'grouped-matmul';

export function chooseDx(g: ConvGeometry, group: number): DxLowering {
  const unit = g.strides.every((s) => s === 1) && g.dilations.every((d) => d === 1);
  return unit && group === 1 ? 'conv-flipped' : 'conv-transpose';
}

export function chooseDw(group: number, cin: number, g?: ConvGeometry): DwLowering {
  if (group === 1) return g && g.kernel.length === 2 && g.strides.every((s) => s === 1) ? 'image-flat-shifts' : 'image-offsets';
  return group === cin ? 'depthwise' : 'grouped-matmul';
}

/** dX of Y = conv(X, W): the adjoint convolution. `inSpatial` are X's spatial sizes. */
export function convDx(b: GraphBuilder, dy: string, w: string, g: ConvGeometry, group: number, inSpatial: readonly number[]): string {
  const n = g.kernel.length;
  if (chooseDx(g, group) === 'conv-flipped') {
    const wt = b.transpose(w, [1, 0, ...Array.from({ length: n }, (_, i) => i + 2)]);
    const axes = Array.from({ length: n }, (_, i) => i + 2);
    const flipped = b.slice(wt, axes.map(() => -1), axes.map(() => -(2 ** 31)), axes, axes.map(() => -1));
    // Full correlation padding, minus the forward pads; trailing pads fix the output to X's size.
    const outSpatial = g.outSpatial as number[];
    const pads = new Array<number>(2 * n);
    for (let i = 0; i < n; i++) {
      pads[i] = g.kernel[i] - 1 - g.pads[i];
      pads[i + n] = inSpatial[i] - (outSpatial[i] + pads[i] - g.kernel[i] + 1);
    }
    if (pads.some((p) => p < 0)) return convTransposeDx(b, dy, w, g, group, inSpatial);
    return b.op('Conv', [dy, flipped], { pads: attr.ints(pads), kernel_shape: attr.ints(g.kernel) });
  }
  return convTransposeDx(b, dy, w, g, group, inSpatial);
}

function convTransposeDx(b: GraphBuilder, dy: string, w: string, g: ConvGeometry, group: number, inSpatial: readonly number[]): string {
  const n = g.kernel.length;
  const outPad = inSpatial.map((size, i) => size - ((g.outSpatial[i] as number - 1) * g.strides[i] - g.pads[i] - g.pads[i + n] + g.dilations[i] * (g.kernel[i] - 1) + 1));
  return b.op('ConvTranspose', [dy, w], {
    strides: attr.ints(g.strides), pads: attr.ints(g.pads), dilations: attr.ints(g.dilations), group: attr.int(group), kernel_shape: attr.ints(g.kernel),
    output_padding: outPad.some((p) => p !== 0) ? attr.ints(outPad) : undefined,
  });
}

/** The k·k shifted, strided views of the padded input, each [lead..., Ho, Wo] (lead = X's first two dims). */
function shiftedViews(b: GraphBuilder, xp: string, g: ConvGeometry): string[] {
  const n = g.kernel.length;
  const axes = Array.from({ length: n }, (_, i) => i + 2);
  const offsets: number[][] = [[]];
  for (let i = 0; i < n; i++) {
    const next: number[][] = [];
    for (const o of offsets) for (let k = 0; k < g.kernel[i]; k++) next.push([...o, k]);
    offsets.splice(0, offsets.length, ...next);
  }
  return offsets.map((o) => {
    const starts = o.map((k, i) => k * g.dilations[i]);
    const ends = starts.map((s, i) => s + ((g.outSpatial[i] as number) - 1) * g.strides[i] + 1);
    return b.slice(xp, starts, ends, axes, g.strides);
  });
}

/** dW of Y = conv(X, W) with W of shape [Cout, Cin/group, k...]. */
export function convDw(b: GraphBuilder, x: string, dy: string, g: ConvGeometry, group: number, cin: number, cout: number): string {
  const n = g.kernel.length;
  const kk = tensorSize(g.kernel);
  const spatialPads = [0, 0, ...g.pads.slice(0, n), 0, 0, ...g.pads.slice(n)];
  const lowering = chooseDw(group, cin, g);
  if (lowering === 'image-flat-shifts') return imageFlatShiftDw(b, x, dy, g, cin, cout);
  if (lowering === 'image-offsets') {
    const xp = b.pad(x, spatialPads);
    const views = shiftedViews(b, xp, g).map((v) => b.reshape(v, [0, cin, -1])); // k·k views [N, Cin, Ho·Wo]
    return perImageDw(b, views, b.reshape(dy, [0, cout, -1]), cin, cout, g.kernel);
  }
  // Channel-major layout first, so every view reshapes to [Cin, N·Ho·Wo] for free.
  const xt = b.transpose(x, [1, 0, ...Array.from({ length: n }, (_, i) => i + 2)]);
  const xp = b.pad(xt, spatialPads);
  const views = shiftedViews(b, xp, g); // k·k views [Cin, N, Ho, Wo]
  const dyt = b.transpose(dy, [1, 0, ...Array.from({ length: n }, (_, i) => i + 2)]); // [Cout, N, Ho, Wo]
  const cols = kk === 1 ? b.unsqueeze(views[0], [1]) : b.op('Concat', views.map((v) => b.unsqueeze(v, [1])), { axis: attr.int(1) }); // [Cin, k·k, N, Ho, Wo]
  // Grouped: [g, Cout/g, M] × [g, M, Cin/g·k·k]
  const colsG = b.transpose(b.reshape(cols, [group, (cin / group) * kk, -1]), [0, 2, 1]);
  const dyG = b.reshape(dyt, [group, cout / group, -1]);
  return b.reshape(b.op('MatMul', [dyG, colsG]), [cout, cin / group, ...g.kernel]);
}

/**
 * dW = Σₙ viewₙ · dYₙᵀ over per-image views [N, Cin, P] (one per kernel offset, offset-major) and
 * dY as [N, Cout, P]: one batched MatMul per offset, summed over the batch.
 */
function perImageDw(b: GraphBuilder, views: readonly string[], dyFlat: string, cin: number, cout: number, kernel: readonly number[]): string {
  const dyT = b.transpose(dyFlat, [0, 2, 1]); // [N, P, Cout], shared by every offset
  const perOffset = views.map((v) => b.reduce('ReduceSum', b.op('MatMul', [v, dyT]), [0], false)); // [Cin, Cout] each
  const stacked = perOffset.length === 1 ? perOffset[0] : b.op('Concat', perOffset.map((p) => b.unsqueeze(p, [2])), { axis: attr.int(2) });
  return b.transpose(b.reshape(stacked, [cin, cout, ...kernel]), [1, 0, ...kernel.map((_, i) => i + 2)]);
}

/** dW for 2-D, stride-1, group-1 convolutions by shifts of each flattened padded image. */
function imageFlatShiftDw(b: GraphBuilder, x: string, dy: string, g: ConvGeometry, cin: number, cout: number): string {
  const [kh, kw] = g.kernel;
  const [dh, dw] = g.dilations;
  const ho = g.outSpatial[0] as number;
  const wo = g.outSpatial[1] as number;
  const wp = wo + dw * (kw - 1); // padded input width = output width + receptive span
  const hp = ho + dh * (kh - 1);
  // With stride 1 the padded input is exactly hp×wp (every padded row and column is reached).
  const xflat = b.reshape(b.pad(x, [0, 0, g.pads[0], g.pads[1], 0, 0, g.pads[2], g.pads[3]]), [0, cin, -1]); // [N, Cin, hp·wp]
  const maxOff = dh * (kh - 1) * wp + dw * (kw - 1);
  // dY on the same grid (top-left aligned), trimmed to the positions every shift can supply.
  const dyFlat = b.reshape(b.pad(dy, [0, 0, 0, 0, 0, 0, hp - ho, wp - wo]), [0, cout, -1]);
  const dyTrim = maxOff > 0 ? b.slice(dyFlat, [0], [-maxOff], [2]) : dyFlat;
  const views: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const off = i * dh * wp + j * dw;
      views.push(off === 0 && maxOff === 0 ? xflat : b.slice(xflat, [off], [off === maxOff ? 2 ** 62 : off - maxOff], [2]));
    }
  }
  return perImageDw(b, views, dyTrim, cin, cout, g.kernel);
}
