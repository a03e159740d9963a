// The display list both back ends draw. Charts lay themselves out once, in pixels, into a Scene;
// the SVG writer and the rasterizer then only translate primitives, so the two outputs agree on
// geometry and text placement (text is measured with the bitmap font's metrics for both).

/** A point in scene pixels: x to the right, y downwards. */
export type Pt = readonly [number, number];

/** An RGB triple, 0..255 per channel. */
export type Rgb = readonly [number, number, number];

/** Text horizontal anchor, as in SVG's text-anchor. */
export type Anchor = 'start' | 'middle' | 'end';

/** An axis-aligned rectangle, filled and/or outlined. */
export interface RectShape {
  readonly kind: 'rect';
  /** Left edge, px. */
  readonly x: number;
  /** Top edge, px. */
  readonly y: number;
  /** Width, px. */
  readonly w: number;
  /** Height, px. */
  readonly h: number;
  /** '#rrggbb' fill, or omitted for none. */
  readonly fill?: string;
  /** '#rrggbb' outline, or omitted for none. */
  readonly stroke?: string;
  /** Outline width in px (default 1). */
  readonly strokeWidth?: number;
  /** 0..1 (default 1). */
  readonly opacity?: number;
}

/** Stroked polylines with round joins and caps. */
export interface LineShape {
  readonly kind: 'line';
  /** Polylines drawn with one stroke style; each inner array is a connected run. */
  readonly runs: readonly (readonly Pt[])[];
  /** '#rrggbb' stroke colour. */
  readonly color: string;
  /** Stroke width in px. */
  readonly width: number;
  /** Dash and gap lengths in px, or omitted for solid. */
  readonly dash?: readonly number[];
  /** 0..1 (default 1). */
  readonly opacity?: number;
}

/** Filled rings; one shape for many rings keeps SVG output compact and lets abutting rings of
 *  one colour render without seams. */
export interface PolygonShape {
  readonly kind: 'polygon';
  /** Closed rings (the last point need not repeat the first). */
  readonly rings: readonly (readonly Pt[])[];
  /** '#rrggbb' fill. */
  readonly fill: string;
  /** 'evenodd' makes nested rings holes (contour superlevel sets). Default 'nonzero'. */
  readonly fillRule?: 'nonzero' | 'evenodd';
}

/** A filled disc (series markers, landscape marks). */
export interface CircleShape {
  readonly kind: 'circle';
  /** Centre x, px. */
  readonly cx: number;
  /** Centre y, px. */
  readonly cy: number;
  /** Radius, px. */
  readonly r: number;
  /** '#rrggbb' fill. */
  readonly fill: string;
  /** Optional outline colour; the outline is drawn 1.5 px wide, centred on the rim. */
  readonly stroke?: string;
}

/** One line of text, measured with the bitmap font's metrics. */
export interface TextShape {
  readonly kind: 'text';
  /** Anchor point x. */
  readonly x: number;
  /** Baseline y (for rotated text: the baseline's x after rotation; see `rotate`). */
  readonly y: number;
  /** The text (one line). */
  readonly text: string;
  /** Integer font scale: cap height is 7·scale px. */
  readonly scale: number;
  /** '#rrggbb' text colour. */
  readonly color: string;
  /** Which point of the text sits at x. */
  readonly anchor: Anchor;
  /** -90 draws bottom-to-top (y-axis labels); the anchor point is then on the rotated baseline. */
  readonly rotate?: 0 | -90;
  /** Heavier strokes (titles). Default false. */
  readonly bold?: boolean;
  /** Colour of a 1-unit outline behind the text, for legibility over data. */
  readonly halo?: string;
}

/** Children drawn only inside a rectangle (data inside the plot frame). */
export interface ClipShape {
  readonly kind: 'clip';
  /** Left edge, px. */
  readonly x: number;
  /** Top edge, px. */
  readonly y: number;
  /** Width, px. */
  readonly w: number;
  /** Height, px. */
  readonly h: number;
  /** Shapes to clip, in drawing order. */
  readonly children: readonly Shape[];
}

/**
 * Content whose best form differs per back end: vector shapes for SVG, a per-pixel shader for
 * the rasterizer (a heat map is exact per pixel but would be an enormous SVG as pixels).
 */
export interface FieldShape {
  readonly kind: 'field';
  /** Left edge of the shaded rectangle, px. */
  readonly x: number;
  /** Top edge, px. */
  readonly y: number;
  /** Width, px. */
  readonly w: number;
  /** Height, px. */
  readonly h: number;
  /** What the SVG writer draws instead of the shader (clipped to the rectangle). */
  readonly svg: readonly Shape[];
  /** Colour at a scene point (pixel centre), or null to leave the pixel untouched. */
  readonly shade: (x: number, y: number) => Rgb | null;
}

/** Any drawable primitive. */
export type Shape = RectShape | LineShape | PolygonShape | CircleShape | TextShape | ClipShape | FieldShape;

/** A laid-out picture: page size, background and primitives in drawing order. */
export interface Scene {
  /** Width in px. */
  readonly width: number;
  /** Height in px. */
  readonly height: number;
  /** '#rrggbb' page colour. */
  readonly background: string;
  /** Primitives, first drawn first. */
  readonly shapes: readonly Shape[];
}

/** Parses '#rgb' or '#rrggbb'; throws on anything else so a typo fails loudly, not as black. */
export function parseHex(color: string): Rgb {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) throw new RangeError(`plot: colour must be '#rgb' or '#rrggbb', got '${color}'`);
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** Formats an RGB triple as '#rrggbb'. */
export function toHex(c: Rgb): string {
  return '#' + c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('');
}
