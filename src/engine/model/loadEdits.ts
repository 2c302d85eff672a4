// The load-time graph edits a generate request asks for (sessionSource.ts applies them, cached on disk per model
// and edit set). Today: seamless tiling's circular padding on every component with convolutions, as A1111
// `modules/sd_hijack.py` apply_circular does for every Conv2d of the model (UNet and VAE, encoder included, so
// img2img and inpainting see the same wrap-around; the TAESD preview decoder too, so previews match).
import type { TilingMode } from '../../common/tilingMode';
import { circularPadding } from '../../node/onnx/circularPadding';
import type { GraphEdit } from '../../node/onnx/graphEdit';
import type { OnnxComponentName } from './modelFolder';

export interface LoadChoices {
  tiling?: TilingMode;
}

export type ComponentEdits = Partial<Record<OnnxComponentName, readonly GraphEdit[]>>;

const CONV_COMPONENTS = ['unet', 'vae_decoder', 'vae_encoder', 'taesd_decoder'] as const satisfies readonly OnnxComponentName[];

export function graphEditsFor(choices: LoadChoices): ComponentEdits {
  const edits: Partial<Record<OnnxComponentName, GraphEdit[]>> = {};
  if (choices.tiling) {
    const edit = circularPadding(choices.tiling);
    for (const component of CONV_COMPONENTS) (edits[component] ??= []).push(edit);
  }
  return edits;
}

/** The part of the loaded model's cache key the choices decide (empty when no edit is asked for). */
export function loadChoicesKey(choices: LoadChoices): string {
  return choices.tiling ? `tiling=${choices.tiling}` : '';
}
