// InpaintDocumentState, the inpaint editor document's logic (no VS Code): edits and undo, generation jobs and their
// candidates, save bytes, revert and reload from disk, driven with a stand-in engine that inpaints for real on the
// pixels it is given (the masked area painted one colour per seed), so a candidate is always built on the job's
// input image.
import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import type { GenerateResult } from '../../src/common/protocol/engineProtocol';
import { DEFAULT_INPAINT_SETTINGS, type InpaintCandidate, type MaskOp } from '../../src/common/protocol/inpaintEditorProtocol';
import { Emitter } from '../../src/host/inpaint/emitter';
import { InpaintDocumentState, InpaintUserError, type InpaintUndoableEdit } from '../../src/host/inpaint/inpaintDocumentState';
import type { InpaintJobEvent } from '../../src/host/inpaint/inpaintJobRunner';
import type { GenerationRequest, GenerationService } from '../../src/host/jobs/generationService';
import { IMAGE_QUALITY, decodeImage, encodeImage, readImageParameters } from '../../src/node/image/imageCodec';
import { ErrorCode, RpcFailure } from '../../src/common/protocol/rpc';
import { EMPTY_PROMPT_MESSAGE } from '../../src/common/prompt/promptProblem';

const RECT: MaskOp = { kind: 'rect', mode: 'paint', x: 2, y: 2, width: 6, height: 4, opacity: 1 };
const SETTINGS = { ...DEFAULT_INPAINT_SETTINGS, prompt: 'un renard roux 狐', steps: 2, batchCount: 2, seed: '7' };

async function solidPng(width: number, height: number, rgb: [number, number, number]): Promise<Uint8Array> {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return encodeImage({ width, height, channels: 3, data }, 'png');
}

async function pixel(png: Uint8Array, x: number, y: number): Promise<number[]> {
  const image = await decodeImage(png);
  const o = (y * image.width + x) * image.channels;
  return [...image.data.subarray(o, o + 3)];
}

interface PendingJob {
  request: GenerationRequest;
  /** Inpaints the request's image and mask and resolves the job with the result. */
  finish(): Promise<void>;
}

/** The engine's contract as the host sees it: the init image with the masked pixels repainted, at the init image's size. */
class InpaintingEngine implements GenerationService {
  readonly jobs: PendingJob[] = [];
  private waiting: Array<() => void> = [];

  /** Resolves with the count-th job (1-based) once the host has asked for it. */
  async job(count: number): Promise<PendingJob> {
    while (this.jobs.length < count) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.jobs[count - 1]!;
  }
  private readonly running = new Emitter<boolean>();
  readonly onDidChangeRunning = this.running.event;
  readonly isRunning = false;

  countTokens(): Promise<never> {
    return Promise.reject(new Error('these tests count no tokens'));
  }

  generate(request: GenerationRequest): Promise<GenerateResult> {
    return new Promise((resolve, reject) => {
      request.token?.onCancellationRequested(() => reject(new RpcFailure(ErrorCode.Cancelled, 'cancelled')));
      this.jobs.push({
        request,
        finish: async () => {
          if (request.params.task !== 'inpaint') throw new Error(`an inpaint job, got ${request.params.task}`);
          const { initImage, mask } = request.params;
          const image = await decodeImage(initImage);
          const maskImage = await decodeImage(mask);
          const images = [];
          for (let b = 0; b < request.params.batchCount!; b++) {
            const seed = Number(request.params.seed) + b;
            const data = image.data.slice();
            for (let p = 0; p < image.width * image.height; p++) {
              if (maskImage.data[p * maskImage.channels]! >= 128) data.set([seed, 255 - seed, 40], p * image.channels);
            }
            const parameters = `${request.params.prompt}\nSteps: ${request.params.steps}, Seed: ${seed}, Size: ${image.width}x${image.height}`;
            images.push({ png: await encodeImage({ ...image, data }, 'png', { parameters }), seed: String(seed), parameters });
          }
          resolve({
            images,
            width: image.width,
            height: image.height,
            steps: request.params.steps!,
            guidanceScale: request.params.guidanceScale!,
            scheduler: 'euler',
            executionProvider: 'cpu',
            warnings: [],
            timings: { loadMs: 0, textEncodeMs: 0, denoiseMs: 0, unetMs: 0, previewMs: 0, decodeMs: 0, encodeImageMs: 0, totalMs: 0 },
          } as GenerateResult);
        },
      });
      for (const wake of this.waiting.splice(0)) wake();
    });
  }

  modelInfo(): never {
    throw new Error('not used');
  }

  cancelAll(): void {}
}

const silentLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function open(bytes: Uint8Array, path = '/w/photo.png'): Promise<{ doc: InpaintDocumentState; engine: InpaintingEngine; edits: InpaintUndoableEdit[]; events: InpaintJobEvent[] }> {
  const engine = new InpaintingEngine();
  const doc = await InpaintDocumentState.fromBytes(bytes, { path }, { generation: engine, log: silentLog }, undefined);
  const edits: InpaintUndoableEdit[] = [];
  const events: InpaintJobEvent[] = [];
  doc.onDidEdit((e) => edits.push(e));
  doc.jobs.onDidChange((e) => events.push(e));
  return { doc, engine, edits, events };
}

function offered(doc: InpaintDocumentState): InpaintCandidate[] {
  return doc.jobs.candidates.candidates;
}

function untilEngineHasJob(engine: InpaintingEngine, count = 1): Promise<PendingJob> {
  return engine.job(count);
}

describe('InpaintDocumentState', function () {
  this.timeout(20_000);

  it('opens an image: size, format, clean, nothing to generate from until a mask is painted', async () => {
    const { doc } = await open(await solidPng(12, 8, [10, 20, 30]));
    assert.deepEqual([doc.width, doc.height, doc.format, doc.fileName, doc.isDirty], [12, 8, 'png', 'photo.png', false]);
    await assert.rejects(doc.generate(SETTINGS), InpaintUserError);
  });

  it('Expand canvas: margins all zero or a result over the size limit fail with one clear message before anything runs', async () => {
    const { doc, engine } = await open(await solidPng(12, 8, [10, 20, 30]));
    await assert.rejects(
      doc.generate(SETTINGS, { margins: { left: 0, top: 0, right: 0, bottom: 0 }, overlap: 8 }),
      (e: Error) => e instanceof InpaintUserError && /drag the frame outward, or type a margin above 0/.test(e.message),
    );
    await assert.rejects(
      doc.generate(SETTINGS, { margins: { left: 2048, top: 0, right: 2048, bottom: 0 }, overlap: 8 }),
      (e: Error) => e instanceof InpaintUserError && e.message === 'Expanding 12×8 by these margins makes 4108×8, over 4096 pixels a side: use smaller margins.',
    );
    await assert.rejects(doc.generate({ ...SETTINGS, prompt: '' }, { margins: { left: 8, top: 0, right: 0, bottom: 0 }, overlap: 8 }), InpaintUserError);
    assert.equal(engine.jobs.length, 0, 'nothing reached the engine');
    assert.equal(doc.jobs.running, undefined);
  });

  it('refuses an empty prompt with the panel\'s own rule (src/common/prompt/promptProblem.ts)', async () => {
    const { doc, engine } = await open(await solidPng(12, 8, [10, 20, 30]));
    doc.applyMaskOp(RECT, 0, 'view');
    await assert.rejects(doc.generate({ ...SETTINGS, prompt: '   ' }), (e: Error) => e instanceof InpaintUserError && e.message === EMPTY_PROMPT_MESSAGE);
    assert.equal(engine.jobs.length, 0, 'nothing reached the engine');
  });

  it('applies mask ops with revisions and hashes, and undo/redo closures drive the edit stack', async () => {
    const { doc, edits } = await open(await solidPng(12, 8, [10, 20, 30]));
    const changes: unknown[] = [];
    doc.onDidChangeMask((c) => changes.push(c));
    doc.applyMaskOp(RECT, 0, 'view');
    assert.equal(doc.maskRevision, 1);
    assert.equal(doc.isDirty, true);
    assert.equal(doc.mask.data[3 * 12 + 3], 255);
    assert.equal(edits.length, 1);
    edits[0]!.undo();
    assert.equal(doc.mask.data[3 * 12 + 3], 0);
    assert.equal(doc.isDirty, false);
    edits[0]!.redo();
    assert.equal(doc.mask.data[3 * 12 + 3], 255);
    assert.deepEqual(
      changes.map((c) => (c as { kind: string }).kind),
      ['op', 'region', 'region'],
    );
  });

  it('generates candidates, applies one as an undoable edit, and saves it with its parameters in any format', async () => {
    const { doc, engine, edits } = await open(await solidPng(12, 8, [10, 20, 30]));
    doc.applyMaskOp(RECT, 0, 'view');
    const done = doc.generate(SETTINGS);
    await (await untilEngineHasJob(engine)).finish();
    await done;
    const { candidates, jobId } = doc.jobs.candidates;
    assert.equal(candidates.length, 2);
    const second = doc.jobs.candidate(jobId!, 1)!;
    doc.applyCandidate(second);
    assert.deepEqual(await pixel(doc.image.bytes, 3, 3), [8, 247, 40]);
    assert.deepEqual(await pixel(doc.image.bytes, 0, 0), [10, 20, 30]);
    const saved = await doc.bytesToSave();
    assert.equal(await readImageParameters(saved), second.parameters);
    const { bytes: jpeg } = await doc.bytesToSaveAs('/w/copy.jpg');
    assert.equal(await readImageParameters(jpeg), second.parameters, 'Save As .jpg keeps the non-ASCII prompt');
    edits.at(-1)!.undo();
    assert.deepEqual(await pixel(doc.image.bytes, 3, 3), [10, 20, 30]);
  });

  it('a changed JPEG is never re-encoded in place by a save nobody answered (auto-save); the choice is asked once', async () => {
    const data = new Uint8Array(12 * 8 * 3);
    for (let i = 0; i < data.length; i += 3) data.set([(i * 7) % 256, 120, 200], i);
    const jpeg = await encodeImage({ width: 12, height: 8, channels: 3, data }, 'jpeg');
    const { doc, engine } = await open(jpeg, '/w/photo.jpg');
    doc.markSaved(jpeg);
    // A mask-only change writes the file back byte for byte: nothing to ask.
    doc.applyMaskOp(RECT, 0, 'view');
    const maskOnly = await doc.planSave(() => assert.fail('a mask-only save must not ask'));
    assert.ok(maskOnly.kind === 'inPlace' && Buffer.from(maskOnly.bytes).equals(Buffer.from(jpeg)));
    const done = doc.generate(SETTINGS);
    await (await untilEngineHasJob(engine)).finish();
    await done;
    doc.applyCandidate(doc.jobs.candidate(doc.jobs.candidates.jobId!, 0)!);
    const questions: string[] = [];
    const unanswered = await doc.planSave(async (q) => {
      questions.push(`${q.fileName} ${q.format} ${q.quality} ${q.pngName}`);
      return undefined;
    });
    assert.equal(unanswered.kind, 'notChosen', 'no choice: nothing is written');
    assert.deepEqual(questions, [`photo.jpg jpeg ${IMAGE_QUALITY} photo.png`]);
    const beside = await doc.planSave(async () => 'pngBeside');
    assert.ok(beside.kind === 'pngBeside');
    assert.equal(beside.name, 'photo.png');
    assert.deepEqual(await pixel(beside.bytes, 0, 0), await pixel(doc.image.bytes, 0, 0), 'the PNG keeps the pixels exact');
    assert.equal((await decodeImage(beside.bytes)).width, 12);
    const again = await doc.planSave(() => assert.fail('the choice is kept for the document'));
    assert.equal(again.kind, 'pngBeside');
  });

  it('a changed JPEG is overwritten only after the user chose to, at the stated quality', async () => {
    const jpeg = await encodeImage({ width: 12, height: 8, channels: 3, data: new Uint8Array(12 * 8 * 3).fill(90) }, 'jpeg');
    const { doc, engine } = await open(jpeg, '/w/photo.jpg');
    doc.markSaved(jpeg);
    doc.applyMaskOp(RECT, 0, 'view');
    const done = doc.generate(SETTINGS);
    await (await untilEngineHasJob(engine)).finish();
    await done;
    doc.applyCandidate(doc.jobs.candidate(doc.jobs.candidates.jobId!, 0)!);
    const plan = await doc.planSave(async () => 'overwrite');
    assert.ok(plan.kind === 'inPlace' && !Buffer.from(plan.bytes).equals(Buffer.from(jpeg)));
    assert.equal((await sharp(plan.bytes).metadata()).format, 'jpeg');
  });

  it('reloads a clean document when the file changes on disk, and reports a conflict when it has edits', async () => {
    const original = await solidPng(12, 8, [10, 20, 30]);
    const { doc } = await open(original);
    doc.diskHash = undefined;
    doc.markSaved(original);
    assert.equal(await doc.diskChanged(original), 'unchanged');
    const reloads: number[] = [];
    doc.onDidReload(() => reloads.push(doc.imageRevision));
    assert.equal(await doc.diskChanged(await solidPng(12, 8, [200, 0, 0])), 'reloaded');
    assert.deepEqual(await pixel(doc.image.bytes, 0, 0), [200, 0, 0]);
    doc.applyMaskOp(RECT, doc.maskRevision, 'view');
    assert.equal(await doc.diskChanged(await solidPng(12, 8, [0, 200, 0])), 'conflict');
    assert.deepEqual(await pixel(doc.image.bytes, 0, 0), [200, 0, 0], 'the edits are kept until the user chooses');
    assert.equal(reloads.length, 1);
  });

  it('ignores an undo made before a revert', async () => {
    const { doc, edits } = await open(await solidPng(12, 8, [10, 20, 30]));
    doc.applyMaskOp(RECT, 0, 'view');
    await doc.revert(await solidPng(12, 8, [10, 20, 30]));
    const revision = doc.maskRevision;
    edits[0]!.undo();
    assert.equal(doc.maskRevision, revision);
  });

  // Issue 12 §5: a revert, reload or on-disk change during a job must not install candidates built on the old image.
  it('discards a running job\'s results when the document is reverted to other pixels during it', async () => {
    const { doc, engine, events } = await open(await solidPng(12, 8, [10, 20, 30]));
    doc.applyMaskOp(RECT, 0, 'view');
    const done = doc.generate(SETTINGS);
    const job = await untilEngineHasJob(engine);
    await doc.revert(await solidPng(12, 8, [250, 250, 250]));
    await job.finish().catch(() => undefined);
    await done;
    assert.deepEqual(offered(doc), [], 'no candidate built on the old pixels is offered');
    assert.equal(doc.jobs.running, undefined);
    const ended = events.find((e) => e.kind === 'ended');
    assert.equal(ended?.kind === 'ended' && ended.outcome, 'cancelled');
  });

  it('discards results that arrive while the document reloads, and cancels a job when another result is applied', async () => {
    const { doc, engine, events } = await open(await solidPng(12, 8, [10, 20, 30]));
    doc.applyMaskOp(RECT, 0, 'view');
    const first = doc.generate(SETTINGS);
    await (await untilEngineHasJob(engine, 1)).finish(); // the engine's answer is being read …
    await doc.revert(await solidPng(12, 8, [250, 250, 250])); // … when the file is reverted
    await first;
    assert.deepEqual(offered(doc), []);

    // A job runs while the previous job's candidates are offered; applying one of those changes the image.
    doc.applyMaskOp(RECT, doc.maskRevision, 'view');
    const second = doc.generate(SETTINGS);
    await (await untilEngineHasJob(engine, 2)).finish();
    await second;
    const offeredBefore = offered(doc);
    assert.equal(offeredBefore.length, 2);
    const third = doc.generate(SETTINGS);
    const job = await untilEngineHasJob(engine, 3);
    doc.applyCandidate(offeredBefore[0]!);
    await job.finish().catch(() => undefined);
    await third;
    assert.deepEqual(offered(doc), offeredBefore, 'the applied job\'s candidates stay; the cancelled job\'s never come');
    const ended = events.filter((e) => e.kind === 'ended').at(-1);
    assert.equal(ended?.kind === 'ended' && ended.outcome, 'cancelled');
  });

  it('discards a running job\'s results when the file on disk changes to another size during it', async () => {
    const { doc, engine } = await open(await solidPng(12, 8, [10, 20, 30]));
    doc.markSaved(doc.image.bytes);
    doc.applyMaskOp(RECT, 0, 'view');
    await doc.bytesToSave().then((b) => doc.markSaved(b)); // clean again: the disk change reloads
    const done = doc.generate(SETTINGS);
    const job = await untilEngineHasJob(engine);
    assert.equal(await doc.diskChanged(await solidPng(20, 10, [0, 0, 255])), 'reloaded');
    await job.finish().catch(() => undefined);
    await done;
    assert.deepEqual([doc.width, doc.height], [20, 10]);
    assert.deepEqual(offered(doc), [], 'no 12×8 candidate under the 20×10 document');
    // The next job runs on the new image.
    doc.applyMaskOp(RECT, doc.maskRevision, 'view');
    const next = doc.generate(SETTINGS);
    await (await untilEngineHasJob(engine, 2)).finish();
    await next;
    const first = offered(doc)[0];
    assert.ok(first, 'the next job offers candidates');
    assert.deepEqual((await sharp(first.png).metadata()).width, 20);
    assert.deepEqual(await pixel(first.png, 0, 0), [0, 0, 255]);
  });
});
