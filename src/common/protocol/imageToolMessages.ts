// Host → engine requests of the image tools the Explorer menus run (Upscale Image…, Remove Background): declared
// once here as valibot schemas; the engine server checks every request with them, and the TypeScript types of
// EngineMethods (engineProtocol.ts) come from them. Images travel as encoded bytes (PNG / WebP / JPEG) both ways.
import * as v from 'valibot';
import { LIMITS } from '../limits';
import { EXECUTION_PROVIDER_NAMES } from './engineProtocol';
import { bytesSchema, counterSchema, imageSideSchema, integerIn, numberIn, textSchema } from './schemaParts';
import { messageParser } from './messageParser';

/** Formats the tools write; only PNG and WebP hold the transparency a removed background leaves. */
export const IMAGE_TOOL_FORMATS = ['png', 'webp', 'jpeg'] as const;
export const TRANSPARENT_FORMATS = ['png', 'webp'] as const;
export type ImageToolFormat = (typeof IMAGE_TOOL_FORMATS)[number];

/** A model file or folder on the engine's machine. */
const modelPathSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

export const upscaleImageParamsSchema = v.object({
  /** The encoded image to upscale. */
  image: bytesSchema,
  /** A super-resolution ONNX model (a .onnx file or a folder with model.onnx); absent: Lanczos. */
  model: v.optional(modelPathSchema),
  /** Output size over input size; default the model's scale (Lanczos: 2). */
  scale: v.optional(numberIn(LIMITS.upscaleScale)),
  /** Tile core in input pixels; default chosen from the image and the memory budget. */
  tile: v.optional(integerIn(LIMITS.upscaleTile)),
  format: v.picklist(IMAGE_TOOL_FORMATS),
  executionProvider: v.optional(v.picklist(EXECUTION_PROVIDER_NAMES)),
});
export type UpscaleImageParams = v.InferOutput<typeof upscaleImageParamsSchema>;

export const upscaleImageProgressSchema = v.object({ tile: counterSchema, tiles: counterSchema });
export type UpscaleImageProgress = v.InferOutput<typeof upscaleImageProgressSchema>;

export const removeBackgroundParamsSchema = v.object({
  image: bytesSchema,
  /** A background-segmentation ONNX model (RMBG-1.4, u2net, isnet: a .onnx file or a folder with model.onnx). */
  model: modelPathSchema,
  /** The model's input normalisation (rmbg, u2net, isnet); default: from the model's name. */
  preset: v.optional(v.pipe(v.string(), v.maxLength(64))),
  /** false: the model's mask as it is; default true (edges refined by a guided filter). */
  refine: v.optional(v.boolean()),
  format: v.picklist(TRANSPARENT_FORMATS),
  executionProvider: v.optional(v.picklist(EXECUTION_PROVIDER_NAMES)),
});
export type RemoveBackgroundParams = v.InferOutput<typeof removeBackgroundParamsSchema>;

export const imageToolResultSchema = v.object({
  /** The encoded result, in the requested format. */
  image: bytesSchema,
  width: imageSideSchema,
  height: imageSideSchema,
  /** upscaleImage: the scale applied (the model's own unless one was asked for). */
  scale: v.optional(numberIn(LIMITS.upscaleScale)),
  /** What was done, for the log and the notification ("RealESRGAN_x4plus ×4, 4 tiles of 256 px, float32, cpu"). */
  description: textSchema,
});
export type ImageToolResult = v.InferOutput<typeof imageToolResultSchema>;

export const parseUpscaleImageParams = messageParser(upscaleImageParamsSchema);
export const parseRemoveBackgroundParams = messageParser(removeBackgroundParamsSchema);
