// A GenerationService that keeps every image of a request that asks for it (`history`) in the generation history
// before handing the result back, so the results of every UI (Generate panel, inpaint editor, Generate Image Here,
// asset builds, the language model tool) are kept by one wrapper in the composition root. Keeping is best effort: a
// failure to write the history is logged and never fails the generation. No vscode import beyond types.
import * as path from 'node:path';
import type { GenerateResult } from '../../common/protocol/engineProtocol';
import type { GenerationRequest, GenerationService } from '../jobs/generationService';
import type { HistoryStore } from './historyStore';

export interface RecordingDeps {
  history: HistoryStore;
  /** The selected model: its name as the user knows it, and the localDiffusion.model setting. */
  model(): { name: string; setting: string };
  warn(message: string): void;
}

export function recordingGenerationService(inner: GenerationService, deps: RecordingDeps): GenerationService {
  return {
    async generate(request: GenerationRequest): Promise<GenerateResult> {
      const result = await inner.generate(request);
      const wanted = request.history;
      if (!wanted) return result;
      // A request that names its model (an asset build's entry) ran with that one, not the selected one.
      const selected = deps.model();
      const named = request.params.model;
      const model = named ? { name: named.name ?? path.basename(named.dir), setting: named.dir } : selected;
      const params = request.params;
      for (const [index, image] of result.images.entries()) {
        const id = wanted.ids?.[index];
        try {
          await deps.history.add({
            ...(id ? { id } : {}),
            source: wanted.source,
            png: image.png,
            width: result.width,
            height: result.height,
            prompt: params.prompt,
            ...(params.negativePrompt ? { negativePrompt: params.negativePrompt } : {}),
            seed: String(image.seed),
            model: model.name,
            modelSetting: model.setting,
            parameters: image.parameters,
          });
        } catch (error) {
          deps.warn(`Could not keep an image in the generation history: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return result;
    },
    modelInfo: (token) => inner.modelInfo(token),
    countTokens: (texts) => inner.countTokens(texts),
    cancelAll: () => inner.cancelAll(),
    get isRunning() {
      return inner.isRunning;
    },
    get onDidChangeRunning() {
      return inner.onDidChangeRunning;
    },
  };
}
