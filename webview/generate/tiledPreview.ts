// The tiled view of a seamless result: the image repeated 3×3 (or 3 across / 3 down for one axis), edge to edge, so
// a user sees whether the seams vanish. Plain <img> elements in a CSS grid: no inline styles under the webview's CSP.
import { tiledPreviewGrid, type TilingMode } from '../../src/common/tilingMode';
import { h } from '../common/dom';

export function tiledPreview(url: string, mode: TilingMode, alt: string): HTMLElement {
  const { columns, rows } = tiledPreviewGrid(mode);
  const tiles = Array.from({ length: columns * rows }, (_, i) => h('img', { class: 'tile', src: url, alt: i === 0 ? alt : '' }));
  return h('div', { class: `tiled-preview tiled-${mode}`, role: 'img', 'aria-label': `${alt} (tiled ${columns}×${rows})` }, ...tiles);
}
