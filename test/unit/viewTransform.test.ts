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
