// The one error class of the geometry tools: a bad request, explained in one sentence.

import { CrsamError } from '../core/errors';

/** A geometry request crsam cannot serve (bad option, empty data, unusable model). */
export class GeometryError extends CrsamError {
  override readonly name = 'GeometryError';
}
