// What the inpaint page keeps in VS Code's webview state (getState/setState) so that hiding and showing
// the editor (no retainContextWhenHidden) loses nothing the host does not resend: tool settings, the
// prompt bar and the view. Image, mask, job and candidates come from the host on `ready`.
import { LIMITS } from '../../src/common/limits';
import { isInpaintExpand, isInpaintSettings, type InpaintExpand, type InpaintSettings } from '../../src/common/protocol/inpaintEditorProtocol';
import type { ViewState } from './viewTransform';

/** The mask tools, Pan, and Expand canvas (the frame around the image: outpainting instead of inpainting). */
export type ToolName = 'brush' | 'eraser' | 'rectangle' | 'rectangleEraser' | 'pan' | 'expand';

export interface ToolSettings {
  tool: ToolName;
  /** Brush diameter in image pixels. */
  size: number;
  hardness: number;
  opacity: number;
  growPixels: number;
  featherSigma: number;
  showMask: boolean;
  /** How the mask is drawn: a tint in the theme's colour or a fixed contrasting one, or an outline. */
  maskStyle: MaskStyle;
}

export type MaskStyle = 'theme' | 'cyan' | 'magenta' | 'outline';
export const MASK_STYLES: readonly MaskStyle[] = ['theme', 'cyan', 'magenta', 'outline'];

export interface InpaintPageState {
  version: 1;
  tools: ToolSettings;
  settings?: InpaintSettings;
  /** Expand canvas's margins and overlap, for an image of this size. */
  expand?: InpaintExpand & { imageWidth: number; imageHeight: number };
  /** The view, for an image of this size. */
  view?: ViewState & { imageWidth: number; imageHeight: number };
}

export const DEFAULT_TOOLS: Readonly<ToolSettings> = Object.freeze({
  tool: 'brush',
  size: 48,
  hardness: 0.6,
  opacity: 1,
  growPixels: 8,
  featherSigma: 4,
  showMask: true,
  maskStyle: 'theme',
});

/**
 * The brush a freshly opened image starts with: about a sixteenth of its shorter side (4 px on 64×64,
 * 32 px on 512×512), so a stroke covers a part of the image and not most of it.
 */
export function brushSizeForImage(width: number, height: number): number {
  return Math.min(LIMITS.brushSize.max, Math.max(1, Math.round(Math.min(width, height) / 16)));
}

const TOOLS: readonly ToolName[] = ['brush', 'eraser', 'rectangle', 'rectangleEraser', 'pan', 'expand'];

function num(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

/** A state read back from VS Code, checked field by field (it may come from an older version). */
export function readPageState(value: unknown): InpaintPageState {
  const saved = (typeof value === 'object' && value !== null ? value : {}) as Partial<InpaintPageState>;
  const t = (typeof saved.tools === 'object' && saved.tools !== null ? saved.tools : {}) as Partial<ToolSettings>;
  const d = DEFAULT_TOOLS;
  const state: InpaintPageState = {
    version: 1,
    tools: {
      tool: TOOLS.includes(t.tool as ToolName) ? (t.tool as ToolName) : d.tool,
      size: num(t.size, 1, LIMITS.brushSize.max, d.size),
      hardness: num(t.hardness, 0, 1, d.hardness),
      opacity: num(t.opacity, 0.05, 1, d.opacity),
      growPixels: Math.round(num(t.growPixels, 1, LIMITS.maskGrowPixels.max, d.growPixels)),
      featherSigma: num(t.featherSigma, 0.5, LIMITS.maskFeatherSigma.max, d.featherSigma),
      showMask: typeof t.showMask === 'boolean' ? t.showMask : d.showMask,
      maskStyle: MASK_STYLES.includes(t.maskStyle as MaskStyle) ? (t.maskStyle as MaskStyle) : d.maskStyle,
    },
  };
  if (isInpaintSettings(saved.settings)) state.settings = saved.settings;
  const expand = saved.expand;
  if (expand && isInpaintExpand(expand) && [expand.imageWidth, expand.imageHeight].every((n) => Number.isInteger(n) && n > 0)) {
    state.expand = { margins: { ...expand.margins }, overlap: expand.overlap, imageWidth: expand.imageWidth, imageHeight: expand.imageHeight };
  }
  const view = saved.view;
  if (
    view &&
    [view.scale, view.offsetX, view.offsetY, view.imageWidth, view.imageHeight].every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    state.view = { ...view };
  }
  return state;
}
