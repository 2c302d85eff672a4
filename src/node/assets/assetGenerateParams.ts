// A resolved spec entry → the engine's GenerateParams (text-to-image, one image, no previews). The one place the
// build depends on the shape of GenerateParams; the CLI (in-process engine) and the extension (engine process) share it.
import type { ResolvedAssetEntry } from '../../common/assets/resolveAssetEntries';
import { LIMITS } from '../../common/limits';
import { DEFAULT_EMPHASIS } from '../../common/prompt/emphasisMode';
import type { ExecutionProviderName, GenerateParams } from '../../common/protocol/engineProtocol';
import type { ResolvedAssetModel } from './resolveAssetModel';

export function assetGenerateParams(entry: ResolvedAssetEntry, model: ResolvedAssetModel, executionProvider: ExecutionProviderName): GenerateParams {
  return {
    task: 'txt2img',
    model: { dir: model.dir, name: model.name, ...(entry.vae !== undefined ? { vae: entry.vae } : {}) },
    executionProvider,
    prompt: entry.prompt,
    ...(entry.negativePrompt !== '' ? { negativePrompt: entry.negativePrompt } : {}),
    seed: entry.seed.toString(),
    batchCount: 1,
    previewEverySteps: 0,
    ...(entry.steps !== undefined ? { steps: entry.steps } : {}),
    ...(entry.guidance !== undefined ? { guidanceScale: entry.guidance } : {}),
    ...(entry.scheduler !== undefined ? { scheduler: entry.scheduler } : {}),
    ...(entry.width !== undefined ? { width: entry.width } : {}),
    ...(entry.height !== undefined ? { height: entry.height } : {}),
    ...(entry.tiling !== undefined ? { tiling: entry.tiling } : {}),
    ...(entry.hires !== undefined ? { hires: { ...entry.hires } } : {}),
    ...(entry.loras !== undefined ? { loras: entry.loras.map((l) => ({ file: l.file, weight: l.weight })) } : {}),
    ...(entry.removeBackground !== undefined ? { removeBackground: { ...entry.removeBackground } } : {}),
    // Always explicit: a build must not take the extension's emphasis or clip-skip settings (the CLI's bytes).
    emphasis: entry.emphasis ?? DEFAULT_EMPHASIS,
    clipSkip: entry.clipSkip ?? LIMITS.clipSkip.min,
  };
}
