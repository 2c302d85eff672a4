// Zoom and pan of the image in the view: screen = image · scale + offset (CSS pixels). Pure, no DOM.

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;
/** Zoom step of the buttons and keys. */
export const ZOOM_STEP = 1.25;

export interface ViewState {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export class ViewTransform implements ViewState {
  scale = 1;
  offsetX = 0;
  offsetY = 0;

  set(state: ViewState): void {
    this.scale = clampScale(state.scale);
    this.offsetX = state.offsetX;
    this.offsetY = state.offsetY;
  }

  toImage(screenX: number, screenY: number): { x: number; y: number } {
    return { x: (screenX - this.offsetX) / this.scale, y: (screenY - this.offsetY) / this.scale };
  }

  toScreen(imageX: number, imageY: number): { x: number; y: number } {
    return { x: imageX * this.scale + this.offsetX, y: imageY * this.scale + this.offsetY };
  }

  /** Fits the image in the view with a margin, centred; never enlarges beyond 100 % unless the image is tiny. */
  fit(imageWidth: number, imageHeight: number, viewWidth: number, viewHeight: number, margin = 16): void {
    this.fitRect({ x: 0, y: 0, width: imageWidth, height: imageHeight }, viewWidth, viewHeight, margin);
  }

  /** Fits an area of image space (the Expand canvas frame, which reaches outside the image) as `fit` fits the image. */
  fitRect(area: { x: number; y: number; width: number; height: number }, viewWidth: number, viewHeight: number, margin = 16): void {
    const w = Math.max(1, viewWidth - 2 * margin);
    const h = Math.max(1, viewHeight - 2 * margin);
    const fitScale = Math.min(w / area.width, h / area.height);
    this.scale = clampScale(fitScale >= 1 ? Math.min(fitScale, Math.max(1, Math.floor(fitScale))) : fitScale);
    this.offsetX = Math.round((viewWidth - area.width * this.scale) / 2 - area.x * this.scale);
    this.offsetY = Math.round((viewHeight - area.height * this.scale) / 2 - area.y * this.scale);
  }

  /** 100 %, centred. */
  actualSize(imageWidth: number, imageHeight: number, viewWidth: number, viewHeight: number): void {
    this.scale = 1;
    this.center(imageWidth, imageHeight, viewWidth, viewHeight);
  }

  /** Zooms by `factor` keeping the image point under (screenX, screenY) in place. */
  zoomAt(factor: number, screenX: number, screenY: number): void {
    const next = clampScale(this.scale * factor);
    const p = this.toImage(screenX, screenY);
    this.scale = next;
    this.offsetX = screenX - p.x * next;
    this.offsetY = screenY - p.y * next;
  }

  panBy(dx: number, dy: number): void {
    this.offsetX += dx;
    this.offsetY += dy;
  }

  private center(imageWidth: number, imageHeight: number, viewWidth: number, viewHeight: number): void {
    this.offsetX = Math.round((viewWidth - imageWidth * this.scale) / 2);
    this.offsetY = Math.round((viewHeight - imageHeight * this.scale) / 2);
  }
}

export function clampScale(scale: number): number {
  if (!Number.isFinite(scale)) return 1;
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}
