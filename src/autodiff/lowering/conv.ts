// How the Conv gradients are lowered to standard ops. The choice decides training speed, so it is
// made per configuration, by measurement (numbers from `npm run bench`, 2-core machine, ORT 1.30):
//   dX, stride 1, group 1: Conv with the flipped, transposed kernel (~15 ms vs ConvTranspose ~22 ms
//   at batch 128, 16→32 ch, 32×32, 3×3); other strides/groups: ConvTranspose.
//   dW, group 1, stride 1: flatten the padded, channel-major input to [Cin, N·Hp·Wp]; a kernel
//   offset (i, j) is then a plain column shift by i·Wp + j (dY is padded onto the same grid), so
//   each shifted view is one contiguous Slice per row and feeds one GEMM. Measured: 20 vs 25 ms
//   (16→16, 32×32), 11.8 vs 15.7 (32→32, 16×16), 10.7 vs 12.8 (64→64, 8×8) against strided views.
//   dW, group 1, other strides: k·k strided Slices of the padded, channel-major input, one GEMM per kernel offset
//   against dY (M = Cout, N = Cin, K = N·Ho·Wo), the small [Cout, Cin] results concatenated.
//   Measured (batch 128, 3×3, 2 threads): 16→16 at 32×32: 25 ms, vs 39 ms for one GEMM over the
//   concatenated im2col matrix (the Concat writes k·k copies of X) and ~63 ms for a Conv over
//   batch-transposed tensors; 16→32 stride 2: 15.5 vs 21.7 ms; 64→64 at 8×8: 13.0 vs 14.8 ms.
//   dW, depthwise: per-offset Mul + ReduceSum. dW, other groups: grouped batched MatMul.
import { GraphBuilder } from '../../onnx/builder';
import { ConvGeometry } from '../../onnx/conv-geometry';
import { attr } from '../../onnx/attr';

export type DxLowering = 'conv-flipped' | 'conv-transpose';
export type DwLowering = 'flat-shift-gemms' | 'offset-gemms' | 'depthwise' | 'grouped-matmul';

export function chooseDx(g: ConvGeometry, group: number): DxLowering {
  const unit = g.strides.every((s) => s === 1) && g.dilations.every((d) => d === 1);
  return unit && group === 1 ? 'conv-flipped' : 'conv-transpose';
}

export function chooseDw(group: number, cin: number, g?: ConvGeometry): DwLowering {
  if (group === 1) return g && g.kernel.length === 2 && g.strides.every((s) => s === 1) ? 'flat-shift-gemms' : 'offset-gemms';
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
  const kk = g.kernel.reduce((p, k) => p * k, 1);
  const spatialPads = [0, 0, ...g.pads.slice(0, n), 0, 0, ...g.pads.slice(n)];
  const lowering = chooseDw(group, cin, g);
  if (lowering === 'flat-shift-gemms') return flatShiftDw(b, x, dy, g, cin, cout);
  if (lowering === 'depthwise') {
    const xp = b.pad(x, spatialPads);
    const per = shiftedViews(b, xp, g).map((v) => b.reduce('ReduceSum', b.op('Mul', [v, dy]), [0, ...Array.from({ length: n }, (_, i) => i + 2)], false));
    // per-offset [C] → [C, k·k] → [C, 1, k...]
    const stacked = b.op('Concat', per.map((p) => b.unsqueeze(p, [1])), { axis: attr.int(1) });
    return b.reshape(stacked, [cout, 1, ...g.kernel]);
  }
  // Channel-major layout first, so every view reshapes to [Cin, N·Ho·Wo] for free.
  const xt = b.transpose(x, [1, 0, ...Array.from({ length: n }, (_, i) => i + 2)]);
  const xp = b.pad(xt, spatialPads);
  const views = shiftedViews(b, xp, g); // k·k views [Cin, N, Ho, Wo]
  const dyt = b.transpose(dy, [1, 0, ...Array.from({ length: n }, (_, i) => i + 2)]); // [Cout, N, Ho, Wo]
  if (lowering === 'offset-gemms') {
    const dyMat = b.reshape(dyt, [cout, -1]);
    const perOffset = views.map((v) => b.op('Gemm', [dyMat, b.reshape(v, [cin, -1])], { transB: attr.int(1) })); // [Cout, Cin] each
    const dw = kk === 1 ? perOffset[0] : b.op('Concat', perOffset.map((p) => b.unsqueeze(p, [2])), { axis: attr.int(2) });
    return b.reshape(dw, [cout, cin, ...g.kernel]);
  }
  const cols = kk === 1 ? b.unsqueeze(views[0], [1]) : b.op('Concat', views.map((v) => b.unsqueeze(v, [1])), { axis: attr.int(1) }); // [Cin, k·k, N, Ho, Wo]
  // Grouped: [g, Cout/g, M] × [g, M, Cin/g·k·k]
  const colsG = b.transpose(b.reshape(cols, [group, (cin / group) * kk, -1]), [0, 2, 1]);
  const dyG = b.reshape(dyt, [group, cout / group, -1]);
  return b.reshape(b.op('MatMul', [dyG, colsG]), [cout, cin / group, ...g.kernel]);
}

/** dW for 2-D, stride-1, group-1 convolutions by column shifts of the flattened padded input. */
function flatShiftDw(b: GraphBuilder, x: string, dy: string, g: ConvGeometry, cin: number, cout: number): string {
  const [kh, kw] = g.kernel;
  const [dh, dw] = g.dilations;
  const ho = g.outSpatial[0] as number;
  const wo = g.outSpatial[1] as number;
  const wp = wo + dw * (kw - 1); // padded input width = output width + receptive span
  const hp = ho + dh * (kh - 1);
  // With stride 1 the padded input is exactly hp×wp (every padded row and column is reached).
  const xp = b.pad(b.transpose(x, [1, 0, 2, 3]), [0, 0, g.pads[0], g.pads[1], 0, 0, g.pads[2], g.pads[3]]);
  const xflat = b.reshape(xp, [cin, -1]); // [Cin, N·hp·wp]
  const maxOff = dh * (kh - 1) * wp + dw * (kw - 1);
  // dY on the same grid (top-left aligned), trimmed to the columns every shift can supply.
  const dyGrid = b.pad(b.transpose(dy, [1, 0, 2, 3]), [0, 0, 0, 0, 0, 0, hp - ho, wp - wo]);
  const dyFlat = b.reshape(dyGrid, [cout, -1]);
  const dyTrim = maxOff > 0 ? b.slice(dyFlat, [0], [-maxOff], [1]) : dyFlat;
  const perOffset: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const off = i * dh * wp + j * dw;
      const view = off === 0 && maxOff === 0 ? xflat : b.slice(xflat, [off], [off === maxOff ? 2 ** 62 : off - maxOff], [1]);
      perOffset.push(b.op('Gemm', [dyTrim, view], { transB: attr.int(1) })); // [Cout, Cin]
    }
  }
  const dwOut = perOffset.length === 1 ? perOffset[0] : b.op('Concat', perOffset.map((p) => b.unsqueeze(p, [2])), { axis: attr.int(2) });
  return b.reshape(dwOut, [cout, cin, kh, kw]);
}
