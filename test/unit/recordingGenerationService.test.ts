import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GenerateResult } from '../../src/common/protocol/engineProtocol';
import { HistoryStore } from '../../src/host/history/historyStore';
import { historyThumbnail } from '../../src/host/history/historyThumbnail';
import { recordingGenerationService } from '../../src/host/history/recordingGenerationService';
import type { GenerationRequest, GenerationService } from '../../src/host/jobs/generationService';
import { encodeImage } from '../../src/node/image/imageCodec';

/** A service answering with the images it is given (what the engine would have returned). */
function answering(result: GenerateResult): GenerationService {
  return {
    generate: async () => result,
    modelInfo: () => Promise.reject(new Error('not used')),
    countTokens: async (texts) => texts.map(() => null),
    cancelAll: () => undefined,
    isRunning: false,
    onDidChangeRunning: () => ({ dispose: () => undefined }),
  };
}

describe('recording generation service', () => {
  let folder: string;
  beforeEach(() => (folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-recording-'))));
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  async function result(count: number): Promise<GenerateResult> {
    const images = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const parameters = `a fox\nSteps: 2, Sampler: Euler, CFG scale: 7, Seed: ${10 + i}, Size: 8x8`;
        const png = await encodeImage({ width: 8, height: 8, channels: 3, data: new Uint8Array(192).fill(i * 40) }, 'png', { parameters });
        return { png, seed: String(10 + i), parameters };
      }),
    );
    return { images, width: 8, height: 8, steps: 2, guidanceScale: 7, scheduler: 'euler', executionProvider: 'cpu', warnings: [], timings: { loadMs: 0, textEncodeMs: 0, denoiseMs: 0, unetMs: 0, previewMs: 0, decodeMs: 0, totalMs: 0 } } as GenerateResult;
  }

  it('keeps every image of a request that asks, under the ids given, with the model and prompt', async () => {
    const history = new HistoryStore({ folder, makeThumbnail: historyThumbnail });
    const generated = await result(2);
    const service = recordingGenerationService(answering(generated), { history, model: () => ({ name: 'analytic-shapes', setting: '' }), warn: () => undefined });
    const request: GenerationRequest = {
      title: 't',
      params: { task: 'txt2img', prompt: 'a fox', negativePrompt: 'blur', steps: 2, guidanceScale: 7, scheduler: 'euler', batchCount: 2 },
      history: { source: 'panel', ids: ['id-a', 'id-b'] },
    };
    assert.equal(await service.generate(request), generated, 'the result is handed back as it is');
    const kept = await history.list();
    assert.deepEqual(kept.map((e) => [e.id, e.seed, e.prompt, e.negativePrompt, e.model, e.modelSetting, e.source]), [
      ['id-b', '11', 'a fox', 'blur', 'analytic-shapes', '', 'panel'],
      ['id-a', '10', 'a fox', 'blur', 'analytic-shapes', '', 'panel'],
    ]);
    assert.deepEqual(await history.readImage('id-a'), generated.images[0]!.png);
  });

  it('names the model a request gives (an asset build) rather than the selected one', async () => {
    const history = new HistoryStore({ folder, makeThumbnail: historyThumbnail });
    const service = recordingGenerationService(answering(await result(1)), { history, model: () => ({ name: 'selected', setting: '' }), warn: () => undefined });
    await service.generate({
      title: 't',
      params: { task: 'txt2img', prompt: 'a fox', steps: 2, guidanceScale: 7, scheduler: 'euler', batchCount: 1, model: { dir: '/models/sd-turbo' } },
      history: { source: 'asset' },
    });
    const [entry] = await history.list();
    assert.deepEqual([entry?.model, entry?.modelSetting, entry?.source], ['sd-turbo', '/models/sd-turbo', 'asset']);
  });

  it('keeps nothing for a request that does not ask, and never fails a generation over the history', async () => {
    const history = new HistoryStore({ folder, makeThumbnail: historyThumbnail });
    const generated = await result(1);
    const warnings: string[] = [];
    const service = recordingGenerationService(answering(generated), { history, model: () => ({ name: 'm', setting: '' }), warn: (m) => warnings.push(m) });
    const params = { task: 'txt2img', prompt: 'a fox', steps: 2, guidanceScale: 7, scheduler: 'euler', batchCount: 1 } as const;
    await service.generate({ title: 't', params });
    assert.deepEqual(await history.list(), []);
    // A history whose folder cannot be created (a file stands in its way).
    const blocked = path.join(folder, 'blocked');
    fs.writeFileSync(blocked, '');
    const broken = recordingGenerationService(answering(generated), {
      history: new HistoryStore({ folder: path.join(blocked, 'history'), makeThumbnail: historyThumbnail }),
      model: () => ({ name: 'm', setting: '' }),
      warn: (m) => warnings.push(m),
    });
    assert.equal(await broken.generate({ title: 't', params, history: { source: 'inpaint' } }), generated);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Could not keep an image in the generation history/);
  });
});
