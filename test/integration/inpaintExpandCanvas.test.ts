// Expand canvas in the inpaint editor's document logic (InpaintDocumentState, no VS Code) on a real engine: an
// analytic model runs the outpaint through the document's job runner, a candidate is applied as one undoable edit that
// changes the document's size, and every pixel of the original outside the overlap is bit-identical in the applied
// image; the mask moves with the image; undo / redo, save and the hot-exit backup follow the size; a running
// expansion cancels.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { Engine } from '../../src/engine/engine';
import { decodeImage, encodeImage } from '../../src/node/image/imageCodec';
import { CancellationSource } from '../../src/common/protocol/rpc';
import type { GenerateResult } from '../../src/common/protocol/engineProtocol';
import { DEFAULT_INPAINT_SETTINGS, type InpaintExpand } from '../../src/common/protocol/inpaintEditorProtocol';
import { Emitter } from '../../src/host/inpaint/emitter';
import { InpaintDocumentState, type InpaintUndoableEdit } from '../../src/host/inpaint/inpaintDocumentState';
import type { InpaintJobEvent } from '../../src/host/inpaint/inpaintJobRunner';
import { probeImage } from '../../src/host/inpaint/inpaintImageCodec';
import type { GenerationRequest, GenerationService } from '../../src/host/jobs/generationService';

const W = 48;
const H = 40;
const EXPAND: InpaintExpand = { margins: { left: 16, top: 8, right: 24, bottom: 0 }, overlap: 8 };
const SETTINGS = { ...DEFAULT_INPAINT_SETTINGS, prompt: 'a green', steps: 6, guidanceScale: 1, seed: '4', scheduler: 'euler' as const, strength: 1, batchCount: 2 };

/** The GenerationService contract on the in-process engine, with the analytic model and the CPU filled in. */
class InProcessGenerationService implements GenerationService {
  private readonly running = new Emitter<boolean>();
  readonly onDidChangeRunning = this.running.event;
  readonly isRunning = false;
  readonly requests: GenerationRequest[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly modelDir: string,
  ) {}

  generate(request: GenerationRequest): Promise<GenerateResult> {
    this.requests.push(request);
    const source = new CancellationSource();
    request.token?.onCancellationRequested(() => source.cancel());
    return this.engine.generate(
      { ...request.params, model: { dir: this.modelDir }, executionProvider: 'cpu' } as Parameters<Engine['generate']>[0],
      { ...(request.onProgress ? { onProgress: request.onProgress } : {}), cancellation: source.token },
    );
  }

  modelInfo(): never {
    throw new Error('not used');
  }

  countTokens(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  cancelAll(): void {}
}

const silentLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function noiseRgb(width: number, height: number): Uint8Array {
  const raw = new Uint8Array(width * height * 3);
  let s = 4242;
  for (let i = 0; i < raw.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    raw[i] = s >>> 24;
  }
  return raw;
}

describe('Expand canvas through the inpaint document on an analytic model', function () {
  this.timeout(300_000);
  const engine = new Engine();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-expand-'));
  const modelDir = path.join(root, 'model');
  let raw: Uint8Array;
  let png: Uint8Array;

  before(async () => {
    await writeAnalyticModel(modelDir, {});
    raw = noiseRgb(W, H);
    png = await encodeImage({ width: W, height: H, channels: 3, data: raw }, 'png');
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function open(): Promise<{ doc: InpaintDocumentState; service: InProcessGenerationService; edits: InpaintUndoableEdit[]; events: InpaintJobEvent[] }> {
    const service = new InProcessGenerationService(engine, modelDir);
    const doc = await InpaintDocumentState.fromBytes(png, { path: '/w/beach.png' }, { generation: service, log: silentLog }, undefined);
    const edits: InpaintUndoableEdit[] = [];
    const events: InpaintJobEvent[] = [];
    doc.onDidEdit((e) => edits.push(e));
    doc.jobs.onDidChange((e) => events.push(e));
    return { doc, service, edits, events };
  }

  it('outpaints, applies a result as one undoable edit of a new size; the original outside the overlap is bit-identical', async () => {
    const { doc, service, edits, events } = await open();
    doc.applyMaskOp({ kind: 'rect', mode: 'paint', x: 2, y: 2, width: 6, height: 4, opacity: 1 }, 0, 'view');
    const maskBefore = doc.mask.data.slice();
    await doc.generate(SETTINGS, EXPAND);
    const request = service.requests[0]!.params;
    assert.equal(request.task, 'outpaint', 'an outpaint, not an inpaint of the mask');
    assert.ok(!('mask' in request), 'the mask is not sent');
    assert.ok(events.some((e) => e.kind === 'progress' && e.progress.stage === 'denoising'), 'progress reported');
    assert.equal(events.at(-1)?.kind, 'ended');
    const offered = doc.jobs.candidates;
    assert.equal(offered.candidates.length, 2);
    assert.deepEqual([offered.width, offered.height], [W + 40, H + 8]);
    assert.deepEqual(offered.expand, EXPAND.margins);

    const resized: Array<[number, number]> = [];
    doc.onDidResize(() => resized.push([doc.width, doc.height]));
    const chosen = offered.candidates[1]!;
    doc.applyCandidate(chosen, { width: offered.width, height: offered.height, ...(offered.expand ? { expand: offered.expand } : {}) });
    assert.deepEqual([doc.width, doc.height], [W + 40, H + 8]);
    assert.deepEqual(resized, [[W + 40, H + 8]]);
    assert.equal(doc.isDirty, true);
    assert.equal(edits.at(-1)!.label, 'Expand Canvas');
    assert.deepEqual(doc.image.bytes, chosen.png, 'the chosen PNG is the document image byte for byte');
    assert.deepEqual([doc.info.width, doc.info.height], [W + 40, H + 8]);

    // Every pixel of the original outside the overlap (along the sides that grew) is bit-identical.
    const out = await decodeImage(doc.image.bytes);
    const { left, top } = EXPAND.margins;
    let kept = 0;
    let newArea = 0;
    let changedNew = 0;
    for (let y = 0; y < out.height; y++) {
      for (let x = 0; x < out.width; x++) {
        const o = (y * out.width + x) * out.channels;
        const ox = x - left;
        const oy = y - top;
        if (ox >= 0 && ox < W && oy >= 0 && oy < H) {
          if (ox >= EXPAND.overlap && oy >= EXPAND.overlap && ox < W - EXPAND.overlap) {
            assert.deepEqual([...out.data.subarray(o, o + 3)], [...raw.subarray((oy * W + ox) * 3, (oy * W + ox) * 3 + 3)], `(${x}, ${y}) changed`);
            kept++;
          }
        } else {
          newArea++;
          // The new area was painted (the edge-extended start is replaced by the prompt's colour).
          if (out.data[o + 1]! > 150 && out.data[o]! < 80) changedNew++;
        }
      }
    }
    assert.equal(kept, (W - 2 * EXPAND.overlap) * (H - EXPAND.overlap));
    assert.ok(newArea > 0 && changedNew > newArea / 2, `new area in the prompt's colour: ${changedNew} of ${newArea}`);

    // The mask moved with the image; the new area is unmasked.
    const nw = W + 40;
    for (let y = 0; y < H + 8; y++) {
      for (let x = 0; x < nw; x++) {
        const inOld = x >= left && x < left + W && y >= top && y < top + H;
        assert.equal(doc.mask.data[y * nw + x], inOld ? maskBefore[(y - top) * W + (x - left)] : 0, `mask at (${x}, ${y})`);
      }
    }

    // Save writes the expanded image; the backup restores it at its size.
    const saved = await doc.bytesToSave();
    const probe = await probeImage(saved);
    assert.deepEqual([probe.width, probe.height], [W + 40, H + 8]);
    const restored = await InpaintDocumentState.fromBackup(doc.backupBytes(), { path: '/w/beach.png' }, { generation: service, log: silentLog });
    assert.deepEqual([restored.width, restored.height], [W + 40, H + 8]);
    assert.deepEqual(restored.image.bytes, doc.image.bytes);
    assert.deepEqual(restored.mask.data, doc.mask.data);
    assert.equal(restored.isDirty, true);

    // Undo gives back the old size, the exact original bytes and the mask; redo the expansion.
    edits.at(-1)!.undo();
    assert.deepEqual([doc.width, doc.height], [W, H]);
    assert.deepEqual(doc.image.bytes, png);
    assert.deepEqual(doc.mask.data, maskBefore);
    edits.at(-1)!.redo();
    assert.deepEqual([doc.width, doc.height], [W + 40, H + 8]);
    assert.deepEqual(doc.image.bytes, chosen.png);
    assert.deepEqual(resized, [[W + 40, H + 8], [W, H], [W + 40, H + 8]]);

    // The other result was made from the 48×40 image: applying it now says to undo first, and changes nothing.
    assert.throws(
      () => doc.applyCandidate(offered.candidates[0]!, { width: offered.width, height: offered.height, expand: EXPAND.margins }),
      /undo back to that size/,
    );
    assert.deepEqual([doc.width, doc.height], [W + 40, H + 8]);

    // Revert to the file (still 48×40 on disk): the size, image and the saved mask come back.
    await doc.revert(png);
    assert.deepEqual([doc.width, doc.height], [W, H]);
    assert.equal(doc.mask.data.length, W * H);
    assert.equal(doc.isDirty, false);
  });

  it('cancels a running expansion: no candidates, the document unchanged', async () => {
    const { doc, events } = await open();
    doc.jobs.onDidChange((e) => {
      if (e.kind === 'progress' && e.progress.stage === 'denoising') doc.jobs.cancel();
    });
    await doc.generate({ ...SETTINGS, steps: 40, batchCount: 1 }, EXPAND);
    const ended = events.find((e) => e.kind === 'ended');
    assert.equal(ended?.kind === 'ended' && ended.outcome, 'cancelled');
    assert.equal(doc.jobs.candidates.candidates.length, 0);
    assert.deepEqual([doc.width, doc.height], [W, H]);
  });
});
