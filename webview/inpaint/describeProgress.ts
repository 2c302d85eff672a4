// One line for a job's progress (stage, image i/n, step x/N, elapsed time) and the bar's fraction. Pure.
import type { InpaintJobProgress } from '../../src/common/protocol/inpaintEditorProtocol';

export function describeProgress(p: InpaintJobProgress): { text: string; fraction: number | undefined } {
  switch (p.stage) {
    case 'starting':
      return { text: 'Starting…', fraction: undefined };
    case 'loading':
      return { text: `Loading the model: ${p.component} (${p.index + 1}/${p.total})…`, fraction: undefined };
    case 'encodingPrompt':
      return { text: 'Encoding the prompt…', fraction: undefined };
    case 'encodingImage':
      return { text: 'Encoding the image…', fraction: undefined };
    // Images count from 1, loaded components from 0 (the engine's progress).
    case 'denoising': {
      const image = p.images > 1 ? `Image ${p.image}/${p.images} · ` : '';
      const fraction = (p.image - 1 + p.step / Math.max(1, p.steps)) / Math.max(1, p.images);
      return { text: `${image}Step ${p.step}/${p.steps} · ${(p.elapsedMs / 1000).toFixed(1)} s`, fraction };
    }
    case 'decoding':
      return { text: `Decoding${p.images > 1 ? ` image ${p.image}/${p.images}` : ''}…`, fraction: p.image / Math.max(1, p.images) };
  }
}
