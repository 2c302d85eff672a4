// The main canvas (#canvas): the image (decoded by the browser from the host's bytes, never re-encoded),
// the mask overlay, and the tool's cursor or rectangle or the Expand canvas frame, under a zoom/pan transform.
// Renders on demand.
import type { ExpandMargins } from '../../src/common/outpaint/expandMargins';
import type { MaskOverlay } from './maskOverlay';
import { ViewTransform, ZOOM_STEP, type ViewState } from './viewTransform';

/** How strongly the mask tints the image. */
const MASK_ALPHA = 0.5;

export type Decoration =
  | { kind: 'none' }
  /** Brush outline at an image point; radius in image pixels. */
  | { kind: 'brush'; x: number; y: number; radius: number; erase: boolean }
  /** Rectangle being dragged, in image pixels. */
  | { kind: 'rect'; x0: number; y0: number; x1: number; y1: number; erase: boolean }
  /** The Expand canvas frame: the image grown by these margins, with handles on its edges and corners. */
  | { kind: 'frame'; margins: ExpandMargins };

/** Half the side of a frame handle, in CSS pixels. */
export const FRAME_HANDLE_RADIUS = 5;

export class CanvasView {
  readonly canvas: HTMLCanvasElement;
  readonly transform = new ViewTransform();
  private readonly ctx: CanvasRenderingContext2D;
  private image: ImageBitmap | undefined;
  private candidate: ImageBitmap | undefined;
  /** An Expand canvas candidate is drawn grown by these margins around the image. */
  private candidateMargins: ExpandMargins | undefined;
  private imageWidth = 0;
  private imageHeight = 0;
  private viewWidth = 0;
  private viewHeight = 0;
  private dpr = 1;
  private frame = 0;
  private fitPending = false;
  /** The view is "fit to the editor" (on open, or Fit): a resize fits again, until the user zooms or pans. */
  private fitted = false;
  private decoration: Decoration = { kind: 'none' };
  showMask = true;
  /** The mask tint is off after Apply (an applied yellow must not look orange) until the mask is edited again. */
  maskSuppressed = false;
  /** Called after zoom/pan/resize (status line, saved state). */
  onViewChange: () => void = () => undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly overlay: MaskOverlay,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Image and mask');
    container.append(this.canvas);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas context.');
    this.ctx = ctx;
    new ResizeObserver(() => this.layout()).observe(container);
    this.layout();
  }

  get documentWidth(): number {
    return this.imageWidth;
  }

  get documentHeight(): number {
    return this.imageHeight;
  }

  get hasLayout(): boolean {
    return this.viewWidth > 0 && this.viewHeight > 0;
  }

  /** A new document size: restores `view` when given (same size), else fits once laid out. */
  setDocumentSize(width: number, height: number, view?: ViewState): void {
    const changed = width !== this.imageWidth || height !== this.imageHeight;
    this.imageWidth = width;
    this.imageHeight = height;
    if (view) {
      this.fitted = false;
      this.transform.set(view);
    }
    else if (changed) {
      if (this.hasLayout) this.fit();
      else this.fitPending = true;
    }
    this.requestRender();
  }

  setImage(bitmap: ImageBitmap | undefined): void {
    if (this.image && this.image !== bitmap) this.image.close();
    this.image = bitmap;
    this.requestRender();
  }

  /** Shows a candidate in place of the image (undefined: back to the image); `margins`: an Expand canvas result. */
  setCandidate(bitmap: ImageBitmap | undefined, margins?: ExpandMargins): void {
    this.candidate = bitmap;
    this.candidateMargins = bitmap ? margins : undefined;
    this.requestRender();
  }

  get showingCandidate(): boolean {
    return this.candidate !== undefined;
  }

  get currentDecoration(): Decoration {
    return this.decoration;
  }

  setDecoration(decoration: Decoration): void {
    this.decoration = decoration;
    this.requestRender();
  }

  fit(): void {
    if (!this.imageWidth) return;
    this.fitted = true;
    const m = this.fitMargins();
    if (m) {
      this.transform.fitRect({ x: -m.left, y: -m.top, width: this.imageWidth + m.left + m.right, height: this.imageHeight + m.top + m.bottom }, this.viewWidth, this.viewHeight);
    } else {
      this.transform.fit(this.imageWidth, this.imageHeight, this.viewWidth, this.viewHeight);
    }
    this.changed();
  }

  /**
   * What Fit takes in besides the image: the Expand canvas frame, or an expanded candidate, plus room to drag the
   * frame further (a quarter of the image's longer side around it) while the frame shows.
   */
  private fitMargins(): ExpandMargins | undefined {
    const d = this.decoration;
    const m = this.candidateMargins ?? (d.kind === 'frame' ? d.margins : undefined);
    if (!m) return undefined;
    const room = d.kind === 'frame' && !this.candidateMargins ? Math.round(Math.max(this.imageWidth, this.imageHeight) / 4) : 0;
    return { left: m.left + room, top: m.top + room, right: m.right + room, bottom: m.bottom + room };
  }

  actualSize(): void {
    if (!this.imageWidth) return;
    this.fitted = false;
    this.transform.actualSize(this.imageWidth, this.imageHeight, this.viewWidth, this.viewHeight);
    this.changed();
  }

  /** Zooms by `factor` around a view point (CSS pixels), by default the centre. */
  zoomBy(factor: number, atX = this.viewWidth / 2, atY = this.viewHeight / 2): void {
    this.fitted = false;
    this.transform.zoomAt(factor, atX, atY);
    this.changed();
  }

  zoomIn(): void {
    this.zoomBy(ZOOM_STEP);
  }

  zoomOut(): void {
    this.zoomBy(1 / ZOOM_STEP);
  }

  panBy(dx: number, dy: number): void {
    this.fitted = false;
    this.transform.panBy(dx, dy);
    this.changed();
  }

  /** A pointer event's position in image pixels. */
  eventToImage(event: MouseEvent): { x: number; y: number } {
    const bounds = this.canvas.getBoundingClientRect();
    return this.transform.toImage(event.clientX - bounds.left, event.clientY - bounds.top);
  }

  /** A pointer event's position in view (CSS) pixels. */
  eventToView(event: MouseEvent): { x: number; y: number } {
    const bounds = this.canvas.getBoundingClientRect();
    return { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
  }

  requestRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private changed(): void {
    this.requestRender();
    this.onViewChange();
  }

  private layout(): void {
    const rect = this.container.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.viewWidth = Math.max(0, Math.floor(rect.width));
    this.viewHeight = Math.max(0, Math.floor(rect.height));
    this.canvas.width = Math.max(1, Math.round(this.viewWidth * this.dpr));
    this.canvas.height = Math.max(1, Math.round(this.viewHeight * this.dpr));
    this.canvas.style.width = `${this.viewWidth}px`;
    this.canvas.style.height = `${this.viewHeight}px`;
    if ((this.fitPending || this.fitted) && this.hasLayout && this.imageWidth) {
      this.fitPending = false;
      this.fit();
    }
    this.render();
  }

  private render(): void {
    const { ctx, dpr, transform: t } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.imageWidth) return;
    ctx.setTransform(dpr * t.scale, 0, 0, dpr * t.scale, dpr * t.offsetX, dpr * t.offsetY);
    // Smooth when zoomed out, crisp pixels when zoomed in (precise masking).
    ctx.imageSmoothingEnabled = t.scale < 1;
    const cm = this.candidate ? this.candidateMargins : undefined;
    const bitmap = this.candidate ?? this.image;
    if (bitmap && cm) {
      ctx.drawImage(bitmap, -cm.left, -cm.top, this.imageWidth + cm.left + cm.right, this.imageHeight + cm.top + cm.bottom);
    } else if (bitmap) {
      ctx.drawImage(bitmap, 0, 0, this.imageWidth, this.imageHeight);
    }
    // The mask is not used while the Expand canvas frame shows: it is not drawn either.
    if (this.showMask && !this.maskSuppressed && !this.candidate && this.decoration.kind !== 'frame') {
      ctx.globalAlpha = MASK_ALPHA;
      ctx.drawImage(this.overlay.canvas, 0, 0, this.imageWidth, this.imageHeight);
      ctx.globalAlpha = 1;
    }
    // Decorations in view pixels.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const topLeft = t.toScreen(0, 0);
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(128, 128, 128, 0.6)';
    ctx.strokeRect(topLeft.x - 0.5, topLeft.y - 0.5, this.imageWidth * t.scale + 1, this.imageHeight * t.scale + 1);
    const d = this.decoration;
    if (d.kind === 'brush') {
      const c = t.toScreen(d.x, d.y);
      const r = Math.max(1, d.radius * t.scale);
      this.outline(() => {
        ctx.beginPath();
        ctx.arc(c.x, c.y, r, 0, Math.PI * 2);
      }, d.erase);
    } else if (d.kind === 'frame') {
      this.drawFrame(d.margins);
    } else if (d.kind === 'rect') {
      const a = t.toScreen(Math.min(d.x0, d.x1), Math.min(d.y0, d.y1));
      const b = t.toScreen(Math.max(d.x0, d.x1), Math.max(d.y0, d.y1));
      this.outline(() => {
        ctx.beginPath();
        ctx.rect(a.x, a.y, b.x - a.x, b.y - a.y);
      }, d.erase);
    }
  }

  /** The new area shaded, the frame's outline and its eight handles (view pixels). */
  private drawFrame(m: ExpandMargins): void {
    const { ctx, transform: t } = this;
    const a = t.toScreen(-m.left, -m.top);
    const b = t.toScreen(this.imageWidth + m.right, this.imageHeight + m.bottom);
    const i0 = t.toScreen(0, 0);
    const i1 = t.toScreen(this.imageWidth, this.imageHeight);
    ctx.fillStyle = 'rgba(128, 128, 128, 0.35)';
    ctx.beginPath();
    ctx.rect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.rect(i1.x, i0.y, i0.x - i1.x, i1.y - i0.y); // the image, wound the other way: a hole
    ctx.fill('evenodd');
    this.outline(() => {
      ctx.beginPath();
      ctx.rect(a.x, a.y, b.x - a.x, b.y - a.y);
    }, true);
    const xs = [a.x, (a.x + b.x) / 2, b.x];
    const ys = [a.y, (a.y + b.y) / 2, b.y];
    const r = FRAME_HANDLE_RADIUS;
    for (const [ix, x] of xs.entries()) {
      for (const [iy, y] of ys.entries()) {
        if (ix === 1 && iy === 1) continue;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.95)';
        ctx.strokeStyle = 'rgba(0, 0, 0, 0.8)';
        ctx.lineWidth = 1;
        ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
        ctx.strokeRect(x - r + 0.5, y - r + 0.5, 2 * r - 1, 2 * r - 1);
      }
    }
  }

  /** A two-tone outline that shows on light and dark images; dashed for erasing tools. */
  private outline(path: () => void, dashed: boolean): void {
    const { ctx } = this;
    path();
    ctx.setLineDash([]);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.8)';
    ctx.lineWidth = 3;
    ctx.stroke();
    ctx.setLineDash(dashed ? [4, 4] : []);
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.95)';
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.setLineDash([]);
  }
}
