// Tiles for a tiled super-resolution run, as Real-ESRGAN's RealESRGANer.tile_process (xinntao/Real-ESRGAN
// realesrgan/utils.py): the image is cut into `tile`-pixel cores; each is read with `pad` pixels of context on
// every side (clamped to the image, so at the image's own border the model sees its own padding, exactly as an
// untiled run does); only the core, scaled, is pasted into the output. With `pad` at least the network's receptive
// radius, the result equals the untiled one: no seams and no blending.
// A graph with a fixed input size takes windows of exactly that size: the window is shifted inside the image
// instead of clipped (the core keeps its context on the inner sides).

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TilePlan {
  /** The pixels this tile writes (input coordinates). */
  core: Rect;
  /** The pixels the model reads for it (core plus context). */
  window: Rect;
}

export interface TileOptions {
  /** Core size in pixels (both axes). */
  tile: number;
  /** Context on each side in pixels. */
  pad: number;
  /** A fixed model input (width, height): windows are exactly this size. */
  fixedWindow?: { width: number; height: number };
}

function axis(size: number, tile: number, pad: number, fixed: number | undefined): Array<{ core: [number, number]; window: [number, number] }> {
  const out: Array<{ core: [number, number]; window: [number, number] }> = [];
  const count = Math.ceil(size / tile);
  for (let i = 0; i < count; i++) {
    const start = i * tile;
    const end = Math.min(size, start + tile);
    let w0 = Math.max(0, start - pad);
    let w1 = Math.min(size, end + pad);
    if (fixed !== undefined) {
      w0 = Math.min(Math.max(0, start - pad), size - fixed);
      w1 = w0 + fixed;
    }
    out.push({ core: [start, end], window: [w0, w1] });
  }
  return out;
}

export function planTiles(width: number, height: number, options: TileOptions): TilePlan[] {
  const { tile, pad, fixedWindow } = options;
  if (!Number.isInteger(tile) || tile < 1) throw new Error(`tile size must be a positive integer, got ${tile}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`tile context must be a non-negative integer, got ${pad}`);
  if (fixedWindow && (fixedWindow.width > width || fixedWindow.height > height)) {
    throw new Error(`the model takes exactly ${fixedWindow.width}×${fixedWindow.height} pixels; the image is ${width}×${height}`);
  }
  const xs = axis(width, tile, pad, fixedWindow?.width);
  const ys = axis(height, tile, pad, fixedWindow?.height);
  const plans: TilePlan[] = [];
  for (const y of ys) {
    for (const x of xs) {
      plans.push({
        core: { x: x.core[0], y: y.core[0], width: x.core[1] - x.core[0], height: y.core[1] - y.core[0] },
        window: { x: x.window[0], y: y.window[0], width: x.window[1] - x.window[0], height: y.window[1] - y.window[0] },
      });
    }
  }
  return plans;
}
