// The one error class of the geometry tools: a bad request, explained in one sentence.

/** A geometry request crsam cannot serve (bad option, empty data, unusable model). */
export class GeometryError extends Error {
  override readonly name = 'GeometryError';
}
