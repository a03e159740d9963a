// Scene → PNG through the software rasterizer.

import { Raster } from './raster';
import type { Scene, Shape } from './scene';
import { parseHex } from './scene';

function drawShape(r: Raster, s: Shape): void {
  switch (s.kind) {
    case 'rect':
      if (s.fill) r.fillRect(s.x, s.y, s.w, s.h, parseHex(s.fill), s.opacity ?? 1);
      if (s.stroke) r.strokeRect(s.x, s.y, s.w, s.h, parseHex(s.stroke), s.strokeWidth ?? 1, s.opacity ?? 1);
      return;
    case 'line':
      r.strokeRuns(s.runs, s.width, parseHex(s.color), s.opacity ?? 1, s.dash);
      return;
    case 'polygon':
      r.fillPolygon(s.rings, parseHex(s.fill), 1, s.fillRule === 'evenodd');
      return;
    case 'circle':
      r.fillCircle(s.cx, s.cy, s.r, parseHex(s.fill), s.stroke ? parseHex(s.stroke) : undefined);
      return;
    case 'text':
      r.drawText(s);
      return;
    case 'clip': {
      const old = r.pushClip(s.x, s.y, s.w, s.h);
      for (const c of s.children) drawShape(r, c);
      r.popClip(old);
      return;
    }
    case 'field': {
      const old = r.pushClip(s.x, s.y, s.w, s.h);
      r.shade(s.x, s.y, s.w, s.h, s.shade);
      r.popClip(old);
      return;
    }
  }
}

/** Rasterizes a scene at 1 scene px = 1 image px. */
export function sceneToRaster(scene: Scene): Raster {
  const w = Math.max(1, Math.round(scene.width));
  const h = Math.max(1, Math.round(scene.height));
  const r = new Raster(w, h, parseHex(scene.background));
  for (const s of scene.shapes) drawShape(r, s);
  return r;
}

/** Rasterizes a scene and encodes it as PNG bytes. */
export function sceneToPng(scene: Scene): Buffer {
  return sceneToRaster(scene).toPng();
}
