// Resize geometry (output sizes, and each resized axis as an interpolation matrix), shared by shape
// inference and the gradient rule so both agree on every size. Follows the ONNX Resize spec
// (opsets 11–19: coordinate_transformation_mode, nearest_mode, axes, keep_aspect_ratio_policy).
import { attrInt, attrInts, attrString, Dim, Node } from './ir';

export interface ResizePlan {
  /** Output dims, per axis of X. */
  readonly out: readonly Dim[];
  /** Scale per axis of X (out / in where sizes were given); undefined where unknown. */
  readonly scales: readonly (number | undefined)[];
}

/**
 * Output dims and scales of a Resize node from X's dims and the known contents of its scales or
 * sizes input; a string says why it cannot be planned.
 */
export function planResize(node: Node, inDims: readonly Dim[], scales: readonly number[] | undefined, sizes: readonly Dim[] | undefined): ResizePlan | string {
  const rank = inDims.length;
  const axes = (attrInts(node, 'axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const out: Dim[] = [...inDims];
  const sc: (number | undefined)[] = inDims.map(() => 1);
  if (sizes) {
    if (sizes.length !== axes.length) return `sizes has ${sizes.length} entries for ${axes.length} axes`;
    const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') {
      axes.forEach((a, k) => { out[a] = sizes[k]; const i = inDims[a]; const o = sizes[k]; sc[a] = typeof i === 'number' && typeof o === 'number' ? o / i : i === o ? 1 : undefined; });
    } else {
      const ratios = axes.map((a, k) => { const i = inDims[a]; const o = sizes[k]; return typeof i === 'number' && typeof o === 'number' ? o / i : undefined; });
      if (ratios.some((r) => r === undefined)) return `keep_aspect_ratio_policy ${policy} needs static sizes`;
      const r = policy === 'not_larger' ? Math.min(...(ratios as number[])) : Math.max(...(ratios as number[]));
      axes.forEach((a) => { sc[a] = r; out[a] = Math.round((inDims[a] as number) * r); });
    }
    return { out, scales: sc };
  }
  if (!scales) return 'neither its scales nor its sizes are known constants';
  if (scales.length !== axes.length) return `scales has ${scales.length} entries for ${axes.length} axes`;
  axes.forEach((a, k) => {
    const i = inDims[a];
    sc[a] = scales[k];
    out[a] = typeof i === 'number' ? Math.floor(i * scales[k]) : scales[k] === 1 ? i : null;
  });
  return { out, scales: sc };
}

/** The input coordinate that output index o maps to along one axis (ONNX coordinate_transformation_mode). */
function sourceCoordinate(mode: string, o: number, scale: number, lenIn: number, lenOut: number): number {
  switch (mode) {
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return lenOut > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return lenOut === 1 ? 0 : (o * (lenIn - 1)) / (lenOut - 1);
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    case 'half_pixel_symmetric': {
      const adjustment = lenOut / (scale * lenIn);
      return (lenIn / 2) * (1 - adjustment) + (o + 0.5) / scale - 0.5;
    }
    default: throw new Error(`internal: unchecked coordinate_transformation_mode ${mode}`);
  }
}

const MODES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'half_pixel_symmetric'];

/** Why the node's interpolation cannot be written as matrices, or undefined when it can. */
export function resizeUnsupported(node: Node): string | undefined {
  const mode = attrString(node, 'mode', 'nearest');
  if (mode !== 'nearest' && mode !== 'linear') return `mode '${mode}' (only nearest and linear are differentiable)`;
  const ctm = attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  if (!MODES.includes(ctm)) return `coordinate_transformation_mode '${ctm}'`;
  if (attrInt(node, 'antialias', 0)) return 'antialias = 1';
  return undefined;
}

/**
 * The out×in matrix (row-major) that Resize applies along one axis, Y = M·X; undefined when it is
 * the identity. Linear weights clamp the coordinate to [0, in − 1], as ONNX Runtime and PyTorch do.
 */
export function resizeMatrix(node: Node, lenIn: number, lenOut: number, scale: number): Float64Array | undefined {
  const mode = attrString(node, 'mode', 'nearest');
  const ctm = attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  const nearestMode = attrString(node, 'nearest_mode', 'round_prefer_floor');
  const m = new Float64Array(lenOut * lenIn);
  for (let o = 0; o < lenOut; o++) {
    const x = sourceCoordinate(ctm, o, scale, lenIn, lenOut);
    if (mode === 'nearest') {
      const f = Math.floor(x);
      const tie = x === f + 0.5;
      const i = nearestMode === 'floor' ? f : nearestMode === 'ceil' ? Math.ceil(x) : tie ? (nearestMode === 'round_prefer_ceil' ? f + 1 : f) : Math.round(x);
      m[o * lenIn + Math.min(Math.max(i, 0), lenIn - 1)] += 1;
    } else {
      const c = Math.min(Math.max(x, 0), lenIn - 1);
      const i0 = Math.floor(c);
      const i1 = Math.min(i0 + 1, lenIn - 1);
      const w1 = c - i0;
      m[o * lenIn + i0] += 1 - w1;
      m[o * lenIn + i1] += w1;
    }
  }
  const identity = lenIn === lenOut && m.every((v, k) => v === (k % (lenIn + 1) === 0 ? 1 : 0));
  return identity ? undefined : m;
}
