// Test images made with sharp: a PNG with a pattern that no model reproduces, and decoding to raw RGBA.
import sharp from 'sharp';

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An opaque PNG with a diagonal gradient and a checker pattern (every pixel distinct from its neighbours). */
export async function patternPng(width: number, height: number): Promise<Uint8Array> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const checker = ((x >> 3) + (y >> 3)) % 2 === 0 ? 40 : 0;
      data[i] = (x * 255) / (width - 1);
      data[i + 1] = (y * 255) / (height - 1);
      data[i + 2] = 128 + checker;
    }
  }
  return new Uint8Array(await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

/** Decodes any image sharp reads into RGBA bytes. */
export async function decodeRgba(bytes: Uint8Array): Promise<RgbaImage> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Pixels whose RGBA differ, as [x, y] pairs. */
export function changedPixels(a: RgbaImage, b: RgbaImage): [number, number][] {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  const out: [number, number][] = [];
  for (let i = 0; i < a.width * a.height; i++) {
    const o = i * 4;
    if (a.data[o] !== b.data[o] || a.data[o + 1] !== b.data[o + 1] || a.data[o + 2] !== b.data[o + 2] || a.data[o + 3] !== b.data[o + 3]) {
      out.push([i % a.width, Math.floor(i / a.width)]);
    }
  }
  return out;
}
