// The Expand canvas frame's handles (four edges, four corners): which one a pointer is on, and the margins a drag
// of it makes, snapped to the model's size multiple. The frame spans [−left, width + right] × [−top, height + bottom]
// in image pixels. Pure: unit-tested; the webview's expandFrameController.ts drives it.
import { snapMargin, type ExpandMargins } from './expandMargins';

export type FrameHandle = 'left' | 'top' | 'right' | 'bottom' | 'topLeft' | 'topRight' | 'bottomLeft' | 'bottomRight';

/** The horizontal and vertical side a handle moves. */
export function handleSides(handle: FrameHandle): { x?: 'left' | 'right'; y?: 'top' | 'bottom' } {
  switch (handle) {
    case 'left':
      return { x: 'left' };
    case 'right':
      return { x: 'right' };
    case 'top':
      return { y: 'top' };
    case 'bottom':
      return { y: 'bottom' };
    case 'topLeft':
      return { x: 'left', y: 'top' };
    case 'topRight':
      return { x: 'right', y: 'top' };
    case 'bottomLeft':
      return { x: 'left', y: 'bottom' };
    case 'bottomRight':
      return { x: 'right', y: 'bottom' };
  }
}

/**
 * The handle under image point (x, y) of a width × height image framed by `m`, within `tolerance` image pixels of
 * the frame's edge (corners win over edges); undefined when the point is on none.
 */
export function frameHandleAt(x: number, y: number, width: number, height: number, m: ExpandMargins, tolerance: number): FrameHandle | undefined {
  const x0 = -m.left;
  const y0 = -m.top;
  const x1 = width + m.right;
  const y1 = height + m.bottom;
  if (x < x0 - tolerance || x > x1 + tolerance || y < y0 - tolerance || y > y1 + tolerance) return undefined;
  const nearLeft = Math.abs(x - x0) <= tolerance;
  const nearRight = !nearLeft && Math.abs(x - x1) <= tolerance;
  const nearTop = Math.abs(y - y0) <= tolerance;
  const nearBottom = !nearTop && Math.abs(y - y1) <= tolerance;
  if (nearTop && nearLeft) return 'topLeft';
  if (nearTop && nearRight) return 'topRight';
  if (nearBottom && nearLeft) return 'bottomLeft';
  if (nearBottom && nearRight) return 'bottomRight';
  if (nearLeft) return 'left';
  if (nearRight) return 'right';
  if (nearTop) return 'top';
  if (nearBottom) return 'bottom';
  return undefined;
}

/**
 * The margins after dragging `handle` by (dx, dy) image pixels from where the drag started (`start`): outward
 * grows a margin, inward shrinks it down to 0 (the frame never cuts into the image); each moved margin snaps to
 * `multiple`, the others stay as they were.
 */
export function dragFrameHandle(start: ExpandMargins, handle: FrameHandle, dx: number, dy: number, multiple: number): ExpandMargins {
  const sides = handleSides(handle);
  const next = { ...start };
  if (sides.x === 'left') next.left = snapMargin(start.left - dx, multiple);
  if (sides.x === 'right') next.right = snapMargin(start.right + dx, multiple);
  if (sides.y === 'top') next.top = snapMargin(start.top - dy, multiple);
  if (sides.y === 'bottom') next.bottom = snapMargin(start.bottom + dy, multiple);
  return next;
}
