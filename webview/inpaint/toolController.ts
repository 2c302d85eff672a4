// Pointer and keyboard input on the canvas: brush / eraser strokes (stamped live, sent as one op when the
// pointer is released), rectangles, pan (Pan tool, Space+drag, middle button) and wheel zoom. With the Expand canvas
// tool the frame's handles are expandFrameController.ts's (pan and zoom stay here).
import { LIMITS } from '../../src/common/limits';
import type { MaskMode, MaskOp } from '../../src/common/protocol/inpaintEditorProtocol';
import type { CanvasView } from './canvasView';
import { isTyping } from '../common/dom';
import type { ToolName, ToolSettings } from './inpaintState';
import type { MaskSync } from './maskSync';
import type { Rect } from '../../src/common/mask/maskRect';

/** Stroke coordinates are kept on a 1/16-pixel grid: exact in binary, short in JSON backups. */
const COORDINATE_GRID = 16;
/** Wheel zoom speed per pixel of wheel delta. */
const WHEEL_ZOOM_RATE = 0.0015;
const LINE_HEIGHT_PX = 16;

export interface ToolControllerHost {
  readonly view: CanvasView;
  readonly sync: MaskSync;
  tools(): ToolSettings;
  setTool(tool: ToolName): void;
  setBrushSize(size: number): void;
  /** The local mask changed in `rect` (redraw the overlay). */
  maskChanged(rect: Rect): void;
  /** Send a finished op to the host. */
  sendOp(message: { op: MaskOp; baseRevision: number }): void;
  /** Whether the mask can be edited now (a document is loaded, no candidate is being previewed). */
  canEdit(): boolean;
}

interface StrokeInProgress {
  pointerId: number;
  mode: MaskMode;
  size: number;
  hardness: number;
  opacity: number;
  points: number[];
}

interface RectInProgress {
  pointerId: number;
  mode: MaskMode;
  opacity: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface PanInProgress {
  pointerId: number;
  x: number;
  y: number;
}

function snap(v: number): number {
  return Math.round(v * COORDINATE_GRID) / COORDINATE_GRID;
}

export class ToolController {
  private stroke: StrokeInProgress | undefined;
  private rect: RectInProgress | undefined;
  private pan: PanInProgress | undefined;
  private spaceDown = false;
  private lastPointer: { x: number; y: number; alt: boolean } | undefined;

  constructor(private readonly host: ToolControllerHost) {
    const canvas = host.view.canvas;
    canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.onPointerUp(e));
    canvas.addEventListener('pointercancel', (e) => this.onPointerUp(e));
    canvas.addEventListener('pointerleave', () => {
      this.lastPointer = undefined;
      if (!this.stroke && !this.rect && this.host.tools().tool !== 'expand') this.host.view.setDecoration({ kind: 'none' });
    });
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('auxclick', (e) => e.preventDefault());
    window.addEventListener('keydown', (e) => this.onKeyDown(e));
    window.addEventListener('keyup', (e) => this.onKeyUp(e));
    window.addEventListener('blur', () => {
      this.spaceDown = false;
      this.updateCursor();
    });
    this.updateCursor();
  }

  /** The tool changed (toolbar, key): refresh the cursor. */
  toolChanged(): void {
    this.updateCursor();
    this.refreshDecoration();
  }

  private modeFor(tool: ToolName, alt: boolean): MaskMode {
    const erase = tool === 'eraser' || tool === 'rectangleEraser';
    return erase !== alt ? 'erase' : 'paint';
  }

  private onPointerDown(e: PointerEvent): void {
    const { view } = this.host;
    view.canvas.focus();
    const tool = this.host.tools().tool;
    if (e.button === 1 || (e.button === 0 && (this.spaceDown || tool === 'pan'))) {
      e.preventDefault();
      const p = view.eventToView(e);
      this.pan = { pointerId: e.pointerId, x: p.x, y: p.y };
      view.canvas.setPointerCapture(e.pointerId);
      this.updateCursor();
      return;
    }
    if (tool === 'expand' || e.button !== 0 || !this.host.canEdit() || this.stroke || this.rect) return;
    e.preventDefault();
    view.canvas.setPointerCapture(e.pointerId);
    const p = view.eventToImage(e);
    const x = snap(p.x);
    const y = snap(p.y);
    const settings = this.host.tools();
    const mode = this.modeFor(tool, e.altKey);
    if (tool === 'brush' || tool === 'eraser') {
      this.stroke = { pointerId: e.pointerId, mode, size: settings.size, hardness: settings.hardness, opacity: settings.opacity, points: [x, y] };
      this.stamp(x, y, x, y);
    } else if (tool === 'rectangle' || tool === 'rectangleEraser') {
      this.rect = { pointerId: e.pointerId, mode, opacity: settings.opacity, x0: x, y0: y, x1: x, y1: y };
      this.refreshDecoration();
    }
  }

  private onPointerMove(e: PointerEvent): void {
    const { view } = this.host;
    const img = view.eventToImage(e);
    this.lastPointer = { x: img.x, y: img.y, alt: e.altKey };
    if (this.pan && e.pointerId === this.pan.pointerId) {
      const p = view.eventToView(e);
      view.panBy(p.x - this.pan.x, p.y - this.pan.y);
      this.pan.x = p.x;
      this.pan.y = p.y;
      return;
    }
    const stroke = this.stroke;
    if (stroke && e.pointerId === stroke.pointerId) {
      // Coalesced events give the full resolution of fast strokes.
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      for (const ev of events.length > 0 ? events : [e]) {
        const p = view.eventToImage(ev);
        this.addPoint(snap(p.x), snap(p.y));
      }
    } else if (this.rect && e.pointerId === this.rect.pointerId) {
      this.rect.x1 = snap(img.x);
      this.rect.y1 = snap(img.y);
    }
    this.refreshDecoration();
  }

  private onPointerUp(e: PointerEvent): void {
    const { view } = this.host;
    if (view.canvas.hasPointerCapture(e.pointerId)) view.canvas.releasePointerCapture(e.pointerId);
    if (this.pan && e.pointerId === this.pan.pointerId) {
      this.pan = undefined;
      this.updateCursor();
      return;
    }
    if (this.stroke && e.pointerId === this.stroke.pointerId) {
      this.finishStroke();
      return;
    }
    const rect = this.rect;
    if (rect && e.pointerId === rect.pointerId) {
      this.rect = undefined;
      const x = Math.min(rect.x0, rect.x1);
      const y = Math.min(rect.y0, rect.y1);
      const width = Math.abs(rect.x1 - rect.x0);
      const height = Math.abs(rect.y1 - rect.y0);
      if (width > 0 && height > 0) {
        const applied = this.host.sync.applyLocal({ kind: 'rect', mode: rect.mode, x, y, width, height, opacity: rect.opacity });
        if (applied) {
          this.host.maskChanged(applied.changed);
          this.host.sendOp(applied.message);
        }
      }
      this.refreshDecoration();
    }
  }

  private addPoint(x: number, y: number): void {
    const stroke = this.stroke;
    if (!stroke) return;
    const n = stroke.points.length;
    const lx = stroke.points[n - 2]!;
    const ly = stroke.points[n - 1]!;
    // About one screen pixel between points is enough: segments are exact, points only bend them.
    const minStep = Math.max(0.25, 0.75 / this.host.view.transform.scale);
    if (Math.hypot(x - lx, y - ly) < minStep) return;
    if (n + 2 > LIMITS.strokeCoordinates.max) {
      // Very long stroke: send it and go on with a new one from the last point (same pixels either way).
      this.finishStroke(true);
      this.stroke!.points.push(lx, ly);
    }
    this.stroke!.points.push(x, y);
    this.stamp(lx, ly, x, y);
  }

  private stamp(ax: number, ay: number, bx: number, by: number): void {
    const s = this.stroke;
    if (!s) return;
    const rect = this.host.sync.stampLive(ax, ay, bx, by, s.mode, s);
    if (rect) this.host.maskChanged(rect);
  }

  /** Sends the stroke as one op; with `keepGoing` a new stroke with the same brush continues. */
  private finishStroke(keepGoing = false): void {
    const s = this.stroke;
    if (!s) return;
    this.stroke = keepGoing ? { ...s, points: [] } : undefined;
    const message = this.host.sync.commitStroke({
      kind: 'stroke',
      mode: s.mode,
      size: s.size,
      hardness: s.hardness,
      opacity: s.opacity,
      points: s.points,
    });
    if (message) this.host.sendOp(message);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const scale = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? LINE_HEIGHT_PX : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 400 : 1;
    const p = this.host.view.eventToView(e);
    this.host.view.zoomBy(Math.exp(-e.deltaY * scale * WHEEL_ZOOM_RATE), p.x, p.y);
    this.refreshDecoration();
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey) return;
    const { view } = this.host;
    switch (e.key) {
      case ' ':
        e.preventDefault();
        if (!this.spaceDown) {
          this.spaceDown = true;
          this.updateCursor();
        }
        return;
      case 'b':
      case 'B':
        this.host.setTool('brush');
        return;
      case 'e':
      case 'E':
        this.host.setTool('eraser');
        return;
      case 'r':
      case 'R':
        this.host.setTool(e.shiftKey ? 'rectangleEraser' : 'rectangle');
        return;
      case 'h':
      case 'H':
        this.host.setTool('pan');
        return;
      case 'x':
      case 'X':
        this.host.setTool('expand');
        return;
      case '[':
        this.host.setBrushSize(Math.max(1, Math.round(this.host.tools().size / 1.2)));
        this.refreshDecoration();
        return;
      case ']':
        this.host.setBrushSize(Math.min(LIMITS.brushSize.max, Math.max(this.host.tools().size + 1, Math.round(this.host.tools().size * 1.2))));
        this.refreshDecoration();
        return;
      case '+':
      case '=':
        view.zoomIn();
        return;
      case '-':
        view.zoomOut();
        return;
      case '0':
        view.fit();
        return;
      case '1':
        view.actualSize();
        return;
      case 'Alt':
        this.refreshDecoration(true);
        return;
      default:
        return;
    }
  }

  private onKeyUp(e: KeyboardEvent): void {
    if (e.key === ' ') {
      this.spaceDown = false;
      this.updateCursor();
    } else if (e.key === 'Alt') {
      this.refreshDecoration(false);
    }
  }

  private refreshDecoration(alt?: boolean): void {
    const { view } = this.host;
    if (this.rect) {
      const r = this.rect;
      view.setDecoration({ kind: 'rect', x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1, erase: r.mode === 'erase' });
      return;
    }
    const p = this.lastPointer;
    const tools = this.host.tools();
    // The Expand canvas frame is the page's (main.ts) to draw.
    if (tools.tool === 'expand') return;
    if (p && alt !== undefined) p.alt = alt;
    if (!p || this.pan || this.spaceDown || !(tools.tool === 'brush' || tools.tool === 'eraser')) {
      view.setDecoration({ kind: 'none' });
      return;
    }
    const size = this.stroke?.size ?? tools.size;
    view.setDecoration({ kind: 'brush', x: p.x, y: p.y, radius: size / 2, erase: (this.stroke?.mode ?? this.modeFor(tools.tool, p.alt)) === 'erase' });
  }

  private updateCursor(): void {
    const tool = this.host.tools().tool;
    const cursor = this.pan
      ? 'grabbing'
      : this.spaceDown || tool === 'pan'
        ? 'grab'
        : tool === 'brush' || tool === 'eraser'
          ? 'brush'
          : tool === 'expand'
            ? 'default'
            : 'crosshair';
    this.host.view.canvas.dataset.cursor = cursor;
  }
}
