// Vision Transformer (Dosovitskiy et al. 2021) following timm's VisionTransformer: Conv patch
// embedding, a class token, learned position embeddings, pre-norm blocks (LayerNorm → multi-head
// self-attention → residual, LayerNorm → MLP with GELU → residual), a final LayerNorm and a linear
// head on the class token. Names follow timm's state_dict (patch_embed.proj, cls_token, pos_embed,
// blocks.i.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}, norm, head), every weight in
// PyTorch's layout, so the initializers load into timm by name.
//
// Initialization as timm's init_weights(mode=''): Linear weights trunc_normal_(std=0.02) with zero
// biases (head included, so every parameter gets a gradient from the first step; torchvision
// zero-initializes its head), pos_embed trunc_normal_(std=0.02), cls_token normal(std=1e-6), the
// patch Conv PyTorch's default, LayerNorm weight 1 bias 0 with eps 1e-6.
import { DataType } from '../onnx/dtype';
import { Model } from '../onnx/ir';
import { ONES, ZEROS, torchDefaultBias, torchDefaultWeight, truncNormal } from './init';
import { Net, LOGITS_NAME } from './net';
import { CommonModelOptions, positiveInt, resolveCommon } from './options';
import { OptionError } from '../core/option-error';
import { attr } from '../onnx/attr';

export interface VitOptions extends CommonModelOptions {
  /** Side of the square patches; must divide inputSize. Default 4. */
  readonly patchSize?: number;
  /** Token width (embedding dimension). Default 128. */
  readonly dim?: number;
  /** Number of transformer blocks. Default 4. */
  readonly depth?: number;
  /** Attention heads; must divide dim. Default 4. */
  readonly heads?: number;
  /** Hidden width of the MLP as a multiple of dim (rounded down to an integer width). Default 2. */
  readonly mlpRatio?: number;
}

const LN_EPS = 1e-6;

/**
 * A token-wise nn.Linear on [N, T, in]: MatMul with the transposed [out, in] weight, plus the bias.
 * The Transpose keeps the stored weight in PyTorch's layout; it costs one small copy per step.
 */
function tokenLinear(net: Net, x: string, name: string, out: number, hint: string): string {
  const fin = net.dims(x)[1];
  const w = net.param(`${name}.weight`, [out, fin], truncNormal(0.02));
  const bias = net.param(`${name}.bias`, [out], ZEROS);
  return net.b.op('Add', [net.b.op('MatMul', [x, net.b.transpose(w, [1, 0])]), bias], {}, hint);
}

function layerNorm(net: Net, x: string, name: string): string {
  const d = net.dims(x)[1];
  const ins = [x, net.param(`${name}.weight`, [d], ONES), net.param(`${name}.bias`, [d], ZEROS)];
  return net.b.op('LayerNormalization', ins, { axis: attr.int(-1), epsilon: attr.float(LN_EPS) }, name);
}

/** GELU in its exact form x·½·(1 + erf(x/√2)), from standard ops only. */
function gelu(net: Net, x: string): string {
  const b = net.b;
  const erf = b.op('Erf', [b.op('Mul', [x, b.scalar(Math.SQRT1_2)])]);
  return b.op('Mul', [b.op('Mul', [x, b.op('Add', [erf, b.scalar(1)])]), b.scalar(0.5)], {}, 'gelu');
}

function attention(net: Net, x: string, name: string, heads: number): string {
  const b = net.b;
  const [tokens, dim] = net.dims(x);
  const hd = dim / heads;
  const qkv = tokenLinear(net, x, `${name}.qkv`, 3 * dim, `${name}.qkv`);
  // One slice per q, k, v (timm's reshape to [N, T, 3, H, hd] picks them in this order), each
  // split into heads: [N, T, D] → [N, T, H, hd] → [N, H, T, hd] (k directly to [N, H, hd, T]).
  const part = (i: number, perm: number[]): string => b.transpose(b.reshape(b.slice(qkv, [i * dim], [(i + 1) * dim], [2]), [0, tokens, heads, hd]), perm);
  const q = part(0, [0, 2, 1, 3]);
  const k = part(1, [0, 2, 3, 1]);
  const v = part(2, [0, 2, 1, 3]);
  const scores = b.op('Mul', [b.op('MatMul', [q, k]), b.scalar(1 / Math.sqrt(hd))], {}, `${name}.scores`);
  const attn = b.op('Softmax', [scores], { axis: attr.int(-1) }, `${name}.softmax`);
  const ctx = b.reshape(b.transpose(b.op('MatMul', [attn, v]), [0, 2, 1, 3]), [0, tokens, dim]);
  return tokenLinear(net, ctx, `${name}.proj`, dim, `${name}.proj`);
}

export function vit(options: VitOptions = {}): Model {
  const patch = options.patchSize ?? 4;
  const dim = options.dim ?? 128;
  const depth = options.depth ?? 4;
  const heads = options.heads ?? 4;
  const mlpRatio = options.mlpRatio ?? 2;
  const common = resolveCommon(options, { inputSize: 32, channels: 3, numClasses: 10 });
  positiveInt('patchSize', patch);
  positiveInt('dim', dim);
  positiveInt('depth', depth);
  positiveInt('heads', heads);
  if (common.inputSize % patch !== 0) throw new OptionError(`the ViT patch size ${patch} does not divide the input size ${common.inputSize}`);
  if (dim % heads !== 0) throw new OptionError(`the ViT width ${dim} is not a multiple of the ${heads} heads`);
  const hidden = Math.floor(dim * mlpRatio);
  if (!(hidden >= 1)) throw new OptionError(`the ViT MLP ratio must give a hidden width of at least 1, got ${mlpRatio}`);
  const grid = common.inputSize / patch;
  const tokens = grid * grid + 1;
  const net = new Net(common, {
    family: 'vit',
    name: `vit-p${patch}-d${dim}-l${depth}-h${heads}`,
    description: `Vision Transformer (timm definition): ${patch}×${patch} patches, width ${dim}, depth ${depth}, ${heads} heads, MLP ${hidden}`,
    options: { patchSize: patch, dim, depth, heads, mlpRatio, ...common },
  });
  const b = net.b;

  const pw = [dim, common.channels, patch, patch];
  const pe = b.op('Conv', [net.input, net.param('patch_embed.proj.weight', pw, torchDefaultWeight(pw)), net.param('patch_embed.proj.bias', [dim], torchDefaultBias(pw))],
    { kernel_shape: attr.ints([patch, patch]), strides: attr.ints([patch, patch]) }, 'patch_embed');
  // [N, D, h, w] → [N, h·w, D] (timm: flatten(2).transpose(1, 2)).
  const patches = b.transpose(b.reshape(pe, [0, dim, grid * grid]), [0, 2, 1]);
  // The class token is one [1, 1, D] parameter broadcast over the batch: Expand to [N, 1, D].
  const cls = net.param('cls_token', [1, 1, dim], { kind: 'normal', std: 1e-6 });
  const batch = b.op('Shape', [patches], { start: attr.int(0), end: attr.int(1) });
  const clsN = b.op('Expand', [cls, b.op('Concat', [batch, b.ints([1, dim])], { axis: attr.int(0) })], {}, 'cls_tokens');
  let x = b.op('Concat', [clsN, patches], { axis: attr.int(1) }, 'tokens');
  x = b.op('Add', [x, net.param('pos_embed', [1, tokens, dim], truncNormal(0.02))], {}, 'embedded');

  for (let i = 0; i < depth; i++) {
    const name = `blocks.${i}`;
    x = b.op('Add', [x, attention(net, layerNorm(net, x, `${name}.norm1`), `${name}.attn`, heads)], {}, `${name}.attn_residual`);
    const h = gelu(net, tokenLinear(net, layerNorm(net, x, `${name}.norm2`), `${name}.mlp.fc1`, hidden, `${name}.mlp.fc1`));
    x = b.op('Add', [x, tokenLinear(net, h, `${name}.mlp.fc2`, dim, `${name}.mlp.fc2`)], {}, `${name}.mlp_residual`);
  }
  x = layerNorm(net, x, 'norm');
  const clsOut = b.op('Gather', [x, b.scalar(0, DataType.INT64, 'cls_index')], { axis: attr.int(1) }, 'cls_out');
  return net.finish(net.linear(clsOut, 'head', common.numClasses, { output: LOGITS_NAME, weightInit: truncNormal(0.02), biasInit: ZEROS }));
}
