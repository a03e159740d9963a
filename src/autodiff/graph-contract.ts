// The contract of a compiled graph: which graph inputs and outputs play which role, recorded by
// the code that builds the graph (artifacts.ts for the training and eval graphs, the geometry's
// hvp-graph.ts for the gradient and HVP graphs), so no runner finds a value by its name's spelling
// or its position. runtime/graph-session.ts feeds and fetches by these roles.
export interface GraphContract {
  /** The model's data inputs (images), without the labels. */
  readonly data: readonly string[];
  /** The int64 class labels [N]. */
  readonly labels: string;
  /** One input per trainable parameter, in parameter-layout order (TrainingArtifacts.params). */
  readonly params: readonly string[];
  /** One input per BatchNorm running statistic, in TrainingArtifacts.buffers order. */
  readonly buffers: readonly string[];
  /** One input per parameter for a direction v (the HVP graph's), in layout order. */
  readonly directions?: readonly string[];
  readonly outputs: ContractOutputs;
}

export interface ContractOutputs {
  /** The scalar mean loss. */
  readonly loss: string;
  /** ∂loss/∂p per parameter, in layout order. */
  readonly grads?: readonly string[];
  /** The BatchNorm running statistics after the pass, in buffer order. */
  readonly bufferUpdates?: readonly string[];
  /** The class scores [N, classes]. */
  readonly logits?: string;
  /** Each sample's loss [N] (the eval graph's): evaluation sums the real samples of a padded batch. */
  readonly sampleLosses?: string;
  /** (Hv)_p per parameter, in layout order. */
  readonly hvps?: readonly string[];
}
