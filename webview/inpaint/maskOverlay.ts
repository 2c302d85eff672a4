// The mask as a tinted layer: an image-sized canvas whose alpha is the mask value, redrawn only in the
// rectangles that changed. Drawn over the image by the canvas view.
import { isMaskEdge } from '../../src/common/mask/maskEdge';
import { isEmptyRect, type Mask, type Rect } from '../../src/common/mask/maskRect';

export type Rgb = readonly [number, number, number];

export class MaskOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private color: Rgb = [255, 64, 64];
  private outline = false;

  constructor() {
    this.canvas = document.createElement('canvas');
    this.canvas.width = 1;
    this.canvas.height = 1;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas context.');
    this.ctx = ctx;
  }

  /** Sets the tint and redraws everything. */
  setColor(color: Rgb, mask: Mask | undefined): void {
    this.color = color;
    if (mask) this.update(mask, { x: 0, y: 0, width: mask.width, height: mask.height });
  }

  /** Tint (alpha = mask) or outline (opaque on the mask's edge only, so the content inside stays visible). */
  setOutline(outline: boolean, mask: Mask | undefined): void {
    if (outline === this.outline) return;
    this.outline = outline;
    if (mask) this.update(mask, { x: 0, y: 0, width: mask.width, height: mask.height });
  }

  /** Redraws `rect` from the mask (resizing the layer when the mask's size changed). */
  update(mask: Mask, rect: Rect): void {
    if (this.canvas.width !== mask.width || this.canvas.height !== mask.height) {
      this.canvas.width = mask.width;
      this.canvas.height = mask.height;
      rect = { x: 0, y: 0, width: mask.width, height: mask.height };
    }
    if (isEmptyRect(rect)) return;
    // An edge depends on the neighbours: an outline redraws one pixel around the change.
    if (this.outline) rect = growRect(rect, 1, mask.width, mask.height);
    const image = this.ctx.createImageData(rect.width, rect.height);
    const out = image.data;
    const [r, g, b] = this.color;
    for (let y = 0; y < rect.height; y++) {
      let i = (rect.y + y) * mask.width + rect.x;
      let o = y * rect.width * 4;
      for (let x = 0; x < rect.width; x++, i++, o += 4) {
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
        out[o + 3] = this.outline ? (isMaskEdge(mask, rect.x + x, rect.y + y) ? 255 : 0) : mask.data[i]!;
      }
    }
    this.ctx.putImageData(image, rect.x, rect.y);
  }
}

function growRect(rect: Rect, by: number, width: number, height: number): Rect {
  const x = Math.max(0, rect.x - by);
  const y = Math.max(0, rect.y - by);
  return { x, y, width: Math.min(width, rect.x + rect.width + by) - x, height: Math.min(height, rect.y + rect.height + by) - y };
}

/** The tint of a fixed style; undefined: the theme's colour. */
export function maskStyleColor(style: string): Rgb | undefined {
  return style === 'cyan' ? [0, 229, 255] : style === 'magenta' ? [255, 0, 200] : undefined;
}

/** Resolves any CSS colour (a theme variable's value) to RGB by painting one pixel. */
export function cssColorToRgb(color: string, fallback: Rgb): Rgb {
  if (!color.trim()) return fallback;
  const canvas = document.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return fallback;
  ctx.fillStyle = '#000';
  ctx.fillStyle = color.trim();
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return [r ?? fallback[0], g ?? fallback[1], b ?? fallback[2]];
}
