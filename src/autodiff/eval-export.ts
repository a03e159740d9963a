// Recognizes a model exported in eval mode: PyTorch folds each BatchNorm into the convolution
// before it (the folded weights get fresh names such as `onnx::Conv_193`) and drops Dropout, so the
// model trains without BatchNorm. Training it is allowed, but the user should hear about it once.
import { Graph } from '../onnx/ir';

/** Names torch.onnx gives weights it created by folding (BatchNorm into Conv/Gemm/MatMul). */
const FOLDED = /^onnx::(Conv|Gemm|MatMul|Add|Mul)_\d+$/;

/** A one-sentence warning when `graph` looks like an eval-mode export; undefined otherwise. */
export function evalExportWarning(graph: Graph): string | undefined {
  const convs = graph.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'ConvTranspose');
  if (convs.length === 0 || graph.nodes.some((n) => n.opType === 'BatchNormalization')) return undefined;
  const folded = convs.filter((n) => n.inputs.slice(1).some((i) => FOLDED.test(i) && graph.initializers.has(i)));
  if (folded.length === 0) return undefined;
  const example = folded[0].inputs.slice(1).find((i) => FOLDED.test(i));
  return `the model looks exported in eval mode (${folded.length} of its ${convs.length} convolutions have folded weights such as '${example}' and no BatchNorm is left), so it trains without BatchNorm and Dropout; `
    + 'export with torch.onnx.export(model.train(), ..., training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False), or pass --allow-eval-export (allowEvalExport: true) if this is what you want';
}
