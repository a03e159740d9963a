// What a gradient rule sees and returns.
import { CrsamError } from '../core/errors';
import { GraphBuilder } from '../onnx/builder';
import { Node, Shape } from '../onnx/ir';
import { DataType } from '../onnx/dtype';

export interface GradContext {
  readonly node: Node;
  /** Emits the backward nodes (shapes of emitted values are inferred as they are emitted). */
  readonly b: GraphBuilder;
  readonly opset: number;
  /** needs[i]: whether input i needs a gradient (skip the work when false). */
  readonly needs: readonly boolean[];
  /** Gradient of each output, or undefined where it is zero. */
  readonly dOut: readonly (string | undefined)[];
  /** Name of input i. */
  x(i: number): string;
  /** Name of output i. */
  y(i: number): string;
  shape(name: string): Shape | undefined;
  dtype(name: string): DataType;
}

/**
 * Returns one gradient per input (undefined where none is needed or it is zero). A gradient may
 * have the shape of the broadcast result rather than of the input: the driver un-broadcasts.
 */
export type GradientRule = (ctx: GradContext) => (string | undefined)[];

/** Marks ops whose outputs carry no gradient (shape computations, comparisons, index outputs). */
export const NO_GRADIENT = 'no-gradient' as const;

export type RuleEntry = GradientRule | typeof NO_GRADIENT;

/** The user asked for something the autodiff cannot do; one sentence for the user. */
export class AutodiffError extends CrsamError {
  override readonly name = 'AutodiffError';
}
