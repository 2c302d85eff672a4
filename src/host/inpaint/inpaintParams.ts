// From the prompt bar's settings and a snapshot of the document to the engine's inpaint parameters.
// Pure: no vscode import (types only).
import type { GenerationParams } from '../jobs/generationService';
import type { InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';
import { promptBarJobTitle, promptBarParams } from './promptBarParams';

/**
 * The engine sizes the job itself: with "whole", the image's size when it suits the model, else its aspect
 * at about the model's native area (scaled back and composited); with "masked", the crop around the mask
 * at the model's size. So no width/height is passed.
 */
export function buildInpaintParams(settings: InpaintSettings, initImage: Uint8Array, maskPng: Uint8Array): GenerationParams {
  return {
    task: 'inpaint',
    ...promptBarParams(settings),
    initImage,
    mask: maskPng,
    maskBlur: settings.maskBlur,
    inpaintArea: settings.inpaintArea,
    maskPadding: settings.maskPadding,
  };
}

/** The title of the progress notification and status bar item. */
export function inpaintJobTitle(settings: InpaintSettings, fileName: string): string {
  return promptBarJobTitle('Inpainting', settings, fileName);
}
