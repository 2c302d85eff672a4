import * as assert from 'node:assert/strict';
import { ViewTransform } from '../../webview/inpaint/viewTransform';

describe('ViewTransform', () => {
  it('zooms about a point, keeping the image point under it in place', () => {
    const t = new ViewTransform();
    t.set({ scale: 2, offsetX: 10, offsetY: -4 });
    const before = t.toImage(100, 80);
    t.zoomAt(1.5, 100, 80);
    assert.equal(t.scale, 3);
    const after = t.toImage(100, 80);
    assert.ok(Math.abs(after.x - before.x) < 1e-9 && Math.abs(after.y - before.y) < 1e-9);
    const s = t.toScreen(after.x, after.y);
    assert.ok(Math.abs(s.x - 100) < 1e-9 && Math.abs(s.y - 80) < 1e-9);
  });

  it('fits large images inside the view and small ones at a whole zoom factor, centred', () => {
    const t = new ViewTransform();
    t.fit(2000, 1000, 1032, 532);
    assert.equal(t.scale, 0.5);
    assert.deepEqual([t.offsetX, t.offsetY], [16, 16]);
    t.fit(100, 50, 532, 332);
    assert.equal(t.scale, 5);
    assert.deepEqual([t.offsetX, t.offsetY], [16, 41]);
    t.fit(100, 50, 400, 282);
    assert.equal(t.scale, 3, 'floor(3.68)');
    t.zoomAt(1e9, 0, 0);
    assert.equal(t.scale, 64);
  });
});

describe('inpaint editor brush size and text-field undo', () => {
  it('the brush of a freshly opened image is sized from the image, not a fixed 48 px', async () => {
    const { brushSizeForImage } = await import('../../webview/inpaint/inpaintState');
    assert.equal(brushSizeForImage(64, 64), 4);
    assert.equal(brushSizeForImage(512, 768), 32);
    assert.ok(brushSizeForImage(8, 8) >= 1);
  });

  it('Ctrl+Z / Ctrl+Y / Cmd+Shift+Z are undo/redo keys; Ctrl+Alt+Z and plain Z are not', async () => {
    const { isUndoRedoKey } = await import('../../webview/inpaint/textFieldUndo');
    const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    assert.equal(isUndoRedoKey(key('z', { ctrlKey: true })), true);
    assert.equal(isUndoRedoKey(key('y', { ctrlKey: true })), true);
    assert.equal(isUndoRedoKey(key('Z', { metaKey: true })), true);
    assert.equal(isUndoRedoKey(key('z', { ctrlKey: true, altKey: true })), false);
    assert.equal(isUndoRedoKey(key('z')), false);
  });
});

describe('text fields keep their own undo', () => {
  it('stops Ctrl+Z in a textarea or text input before it reaches the window (VS Code: the mask undo), not elsewhere', async () => {
    const { keepTextFieldUndo } = await import('../../webview/inpaint/textFieldUndo');
    let listener: ((e: never) => void) | undefined;
    keepTextFieldUndo({ addEventListener: (_type, l) => (listener = l as never) });
    const press = (target: unknown, key = 'z') => {
      let stopped = false;
      listener!({ key, ctrlKey: true, metaKey: false, altKey: false, target, stopPropagation: () => (stopped = true) } as never);
      return stopped;
    };
    assert.equal(press({ tagName: 'TEXTAREA' }), true);
    assert.equal(press({ tagName: 'INPUT', type: 'text' }, 'y'), true);
    assert.equal(press({ tagName: 'INPUT', type: 'checkbox' }), false);
    assert.equal(press({ tagName: 'CANVAS' }), false, 'on the canvas Ctrl+Z stays the mask undo');
  });
});

describe('ViewTransform.fitRect', () => {
  it('fits an area that reaches outside the image, centred (the Expand canvas frame)', () => {
    const t = new ViewTransform();
    // A 100 × 50 image with 50 px added on the left: the area is x ∈ [−50, 100], 150 × 50, in a 332 × 232 view
    // (16 px margins: 300 × 200 to fill, so ×2).
    t.fitRect({ x: -50, y: 0, width: 150, height: 50 }, 332, 232);
    assert.equal(t.scale, 2);
    assert.deepEqual(t.toScreen(-50, 0), { x: 16, y: 66 });
    assert.deepEqual(t.toScreen(100, 50), { x: 316, y: 166 });
    // fit is fitRect of the image itself.
    const a = new ViewTransform();
    const b = new ViewTransform();
    a.fit(640, 480, 900, 700);
    b.fitRect({ x: 0, y: 0, width: 640, height: 480 }, 900, 700);
    assert.deepEqual([a.scale, a.offsetX, a.offsetY], [b.scale, b.offsetX, b.offsetY]);
  });
});
