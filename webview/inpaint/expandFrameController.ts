// Pointer input on the canvas while the Expand canvas tool is active: hovering a handle of the frame shows the
// resize cursor for it, dragging it moves that edge or corner outward or back (dragFrameHandle: snapped to the
// model's size multiple, never into the image). Pan (Space, middle button) stays the ToolController's.
import type { ExpandMargins } from '../../src/common/outpaint/expandMargins';
import { dragFrameHandle, frameHandleAt, type FrameHandle } from '../../src/common/outpaint/frameHandle';
import { FRAME_HANDLE_RADIUS, type CanvasView } from './canvasView';

export interface ExpandFrameHost {
  readonly view: CanvasView;
  /** Whether the Expand canvas tool is active (and a document is loaded). */
  active(): boolean;
  margins(): ExpandMargins;
  setMargins(margins: ExpandMargins): void;
  /** The model's size multiple (1 until the model is known). */
  sizeMultiple(): number;
  /** A drag of a handle ended. */
  dragEnded(): void;
}

interface Drag {
  pointerId: number;
  handle: FrameHandle;
  start: ExpandMargins;
  x: number;
  y: number;
}

const CURSORS: Record<FrameHandle, string> = {
  left: 'ew-resize',
  right: 'ew-resize',
  top: 'ns-resize',
  bottom: 'ns-resize',
  topLeft: 'nwse-resize',
  bottomRight: 'nwse-resize',
  topRight: 'nesw-resize',
  bottomLeft: 'nesw-resize',
};

export class ExpandFrameController {
  private drag: Drag | undefined;

  constructor(private readonly host: ExpandFrameHost) {
    const canvas = host.view.canvas;
    canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.onPointerUp(e));
    canvas.addEventListener('pointercancel', (e) => this.onPointerUp(e));
  }

  get dragging(): boolean {
    return this.drag !== undefined;
  }

  /** The handle under a pointer event, within a handle's size on screen. */
  private handleAt(e: MouseEvent): FrameHandle | undefined {
    const { view } = this.host;
    const p = view.eventToImage(e);
    const tolerance = (FRAME_HANDLE_RADIUS + 3) / view.transform.scale;
    return frameHandleAt(p.x, p.y, view.documentWidth, view.documentHeight, this.host.margins(), tolerance);
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.host.active() || this.drag || e.defaultPrevented) return;
    const handle = this.handleAt(e);
    if (!handle) return;
    e.preventDefault();
    const { view } = this.host;
    view.canvas.setPointerCapture(e.pointerId);
    const p = view.eventToImage(e);
    this.drag = { pointerId: e.pointerId, handle, start: { ...this.host.margins() }, x: p.x, y: p.y };
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.host.active()) return;
    const drag = this.drag;
    if (drag && e.pointerId === drag.pointerId) {
      const p = this.host.view.eventToImage(e);
      this.host.setMargins(dragFrameHandle(drag.start, drag.handle, p.x - drag.x, p.y - drag.y, this.host.sizeMultiple()));
      return;
    }
    const handle = this.handleAt(e);
    this.host.view.canvas.dataset.cursor = handle ? CURSORS[handle] : 'default';
  }

  private onPointerUp(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag || e.pointerId !== drag.pointerId) return;
    const { view } = this.host;
    if (view.canvas.hasPointerCapture(e.pointerId)) view.canvas.releasePointerCapture(e.pointerId);
    this.drag = undefined;
    this.host.dragEnded();
  }
}
