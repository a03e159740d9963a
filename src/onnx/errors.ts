// The error of the ONNX reader: a file or model the loader cannot take.
import { CrsamError } from '../core/errors';

/** A file or model the loader cannot take; the message is one sentence for the user. */
export class OnnxFormatError extends CrsamError {
  override readonly name = 'OnnxFormatError';
}
