// The inpaint custom editor (localDiffusion.inpaintEditor) on a PNG in the workspace: opened with
// vscode.openWith, a mask painted and a candidate applied with real clicks (browser steps), then VS Code's own
// save, undo, redo, revert and hot-exit backup, checked on the file's bytes and pixels; the same for an Expand
// canvas result, which changes the document's size.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { decodeInpaintBackup } from '../../src/host/inpaint/inpaintBackup';
import { InpaintEditModel } from '../../src/host/inpaint/inpaintEditModel';
import { expandedSize } from '../../src/common/outpaint/expandMargins';
import { browserStep, browserStepsAvailable } from './browserStep';
import { codeServerUserDataDir, printExtensionLogOnFailure } from './extensionLog';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { changedPixels, decodeRgba, patternPng } from './testImages';
import { waitFor } from './waitFor';
import { freshFolder } from './workspaceFiles';

const VIEW_TYPE = 'localDiffusion.inpaintEditor';
const IMAGE = { width: 256, height: 256 };
/** A horizontal brush stroke through the middle of the image. */
const STROKE = { tool: 'Brush', size: 24, points: [[96, 128], [160, 128]] as [number, number][] };
/** Pixels farther than this from the stroke's segment are outside the mask: the brush radius plus the engine's
 * default mask blur (sigma 4, kernel half-width int(2.5·4 + 0.5) = 10) plus one for rounding. */
const MASK_REACH = STROKE.size / 2 + 10 + 1;
const RUN = { prompt: 'a red circle in the middle', steps: 6, seed: 5 };
/** Expand canvas: 32 px either side (a multiple of the sample model's size multiple), an overlap narrower than the
 * panel's default (so a run that ignored the typed one would change kept pixels). */
const EXPAND = { margins: { left: 32, top: 0, right: 32, bottom: 0 }, overlap: 16 };
const GROWN = expandedSize(IMAGE.width, IMAGE.height, EXPAND.margins);
const EXPAND_RUN = { prompt: 'a green square on a blue background', steps: 6, seed: 9 };

function inpaintTab(uri: vscode.Uri): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .find((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.viewType === VIEW_TYPE && tab.input.uri.toString() === uri.toString());
}

function isDirty(uri: vscode.Uri): boolean | undefined {
  return inpaintTab(uri)?.isDirty;
}

/** Pixels of the expanded image that lie on the original outside the overlap band (along the sides that grew). */
function keptByExpand(x: number, y: number): boolean {
  const { margins, overlap } = EXPAND;
  const ox = x - margins.left;
  const oy = y - margins.top;
  const lo = (grew: boolean) => (grew ? overlap : 0);
  return (
    ox >= lo(margins.left > 0) &&
    ox < IMAGE.width - lo(margins.right > 0) &&
    oy >= lo(margins.top > 0) &&
    oy < IMAGE.height - lo(margins.bottom > 0)
  );
}

function distanceToStroke(x: number, y: number): number {
  // Pixel centres against the segment between the stroke's two points.
  const [[ax, ay], [bx, by]] = STROKE.points as [[number, number], [number, number]];
  const px = x + 0.5;
  const py = y + 0.5;
  const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

/** Backup files the editor wrote for this extension (code-server keeps them in the extension's workspace storage). */
function backupFiles(): string[] {
  const dataDir = codeServerUserDataDir();
  if (!dataDir) return [];
  const storage = path.join(dataDir, 'User', 'workspaceStorage');
  if (!fs.existsSync(storage)) return [];
  return fs.readdirSync(storage).flatMap((workspace) => {
    const dir = path.join(storage, workspace, 'local-diffusion.local-diffusion');
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)).filter((f) => fs.statSync(f).isFile()) : [];
  });
}

describe('Inpaint editor', function () {
  this.timeout(180_000);
  let file: string;
  let uri: vscode.Uri;
  let original: Uint8Array;

  before(async function () {
    if (!browserStepsAvailable()) this.skip();
    await activatedApi();
    original = await patternPng(IMAGE.width, IMAGE.height);
    file = path.join(freshFolder('inpaint'), 'photo.png');
    fs.writeFileSync(file, original);
    uri = vscode.Uri.file(file);
  });

  beforeEach(async () => {
    await clearNotifications();
  });

  afterEach(printExtensionLogOnFailure);

  afterEach(async () => {
    // Leave no dirty editor behind (closing one would ask to save).
    if (isDirty(uri)) {
      await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('is not the default editor for PNGs, and opens one with vscode.openWith', async () => {
    await vscode.commands.executeCommand('vscode.open', uri);
    const preview = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(preview instanceof vscode.TabInputCustom, 'a PNG opens in a custom editor');
    assert.equal(preview.viewType, 'imagePreview.previewEditor', 'the built-in image preview stays the default');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(active instanceof vscode.TabInputCustom);
    assert.equal(active.viewType, VIEW_TYPE);
    assert.equal(active.uri.toString(), uri.toString());
    await browserStep('inpaint.waitReady', IMAGE, 60_000);
    assert.equal(isDirty(uri), false);
  });

  it('applies a candidate as an undoable edit: save keeps every pixel outside the mask, undo restores the exact bytes, revert', async () => {
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    await browserStep('inpaint.paintStroke', { stroke: STROKE, image: IMAGE }, 60_000);
    await waitFor('the mask stroke to make the document dirty', () => isDirty(uri), (dirty) => dirty === true, 10_000);
    await browserStep('inpaint.generateAndApply', { run: RUN, image: IMAGE }, 150_000);

    // Save writes the applied result; only pixels under the (feathered) stroke differ from the original.
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the document to be saved', () => isDirty(uri), (dirty) => dirty === false, 10_000);
    const saved = new Uint8Array(fs.readFileSync(file));
    assert.notDeepEqual(saved, original, 'the applied result was written');
    const changed = changedPixels(await decodeRgba(original), await decodeRgba(saved));
    assert.ok(changed.length > 100, `the inpaint changed the masked area (${changed.length} pixels)`);
    const outside = changed.filter(([x, y]) => distanceToStroke(x, y) > MASK_REACH);
    assert.deepEqual(outside.slice(0, 10), [], `${outside.length} changed pixel(s) outside the mask`);
    const parameters = readPngTextChunks(saved).find((c) => c.keyword === 'parameters');
    assert.ok(parameters, 'the saved PNG carries the parameters chunk');
    assert.match(parameters.text, new RegExp(`^${RUN.prompt}\\n`));

    // Undo the applied result: saving writes the original bytes back, byte for byte.
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to make the document dirty', () => isDirty(uri), (dirty) => dirty === true, 10_000);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the undone state on disk', () => new Uint8Array(fs.readFileSync(file)), (bytes) => Buffer.compare(bytes, original) === 0, 10_000);

    // Redo, then revert: the file is read again and the document is clean.
    await vscode.commands.executeCommand('redo');
    await waitFor('redo to make the document dirty', () => isDirty(uri), (dirty) => dirty === true, 10_000);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('revert to make the document clean', () => isDirty(uri), (dirty) => dirty === false, 10_000);
    assert.equal(Buffer.compare(fs.readFileSync(file), original), 0, 'revert wrote nothing');
  });

  it('backs up a dirty document for hot exit (image, mask and pending edits, small) and drops the backup on revert', async function () {
    if (!codeServerUserDataDir()) this.skip();
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    const before = new Set(backupFiles());
    await browserStep('inpaint.paintStroke', { stroke: STROKE, image: IMAGE }, 60_000);
    await browserStep('inpaint.generateAndApply', { run: RUN, image: IMAGE }, 150_000);
    await waitFor('the document to be dirty', () => isDirty(uri), (dirty) => dirty === true, 10_000);

    // VS Code asks for a backup shortly after a change; the last one holds both edits.
    const backup = await waitFor(
      'a backup with both edits',
      () => {
        for (const f of backupFiles().filter((f) => !before.has(f))) {
          try {
            const decoded = decodeInpaintBackup(new Uint8Array(fs.readFileSync(f)));
            if (decoded.edits.length === 2) return { file: f, decoded };
          } catch {
            // Being written.
          }
        }
        return undefined;
      },
      (found) => found !== undefined,
      20_000,
      200,
    );
    const { decoded } = backup!;
    assert.deepEqual([decoded.width, decoded.height], [IMAGE.width, IMAGE.height]);
    assert.equal(Buffer.compare(decoded.base.image, original), 0, 'the base is the file as read, byte for byte');
    const [maskEdit, generation] = decoded.edits;
    assert.equal(maskEdit?.kind, 'mask');
    assert.equal(maskEdit?.kind === 'mask' && maskEdit.op.kind, 'stroke', 'the stroke is kept as a vector op');
    assert.equal(generation?.kind, 'generation');
    const candidate = generation?.kind === 'generation' ? generation.png : new Uint8Array();
    const size = fs.statSync(backup!.file).size;
    assert.ok(size < original.length + candidate.length + 16 * 1024, `the backup stays small: ${size} bytes`);

    // What a restore rebuilds from it: the applied candidate as the image, the stroke in the mask.
    const restored = new InpaintEditModel(decoded.width, decoded.height, decoded.base, decoded.edits);
    assert.equal(Buffer.compare(restored.image, candidate), 0);
    assert.equal(restored.mask.data[128 * IMAGE.width + 128], 255, 'masked under the stroke');
    assert.equal(restored.mask.data[10 * IMAGE.width + 10], 0, 'not masked far from it');

    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('revert to make the document clean', () => isDirty(uri), (dirty) => dirty === false, 10_000);
    await waitFor('the backup to be deleted', () => fs.existsSync(backup!.file), (exists) => !exists, 10_000);
  });

  it('expands the canvas as an undoable edit of a new size: save keeps the original outside the overlap, undo restores the exact bytes, redo, backup, revert', async () => {
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    await browserStep('inpaint.waitReady', IMAGE, 60_000);
    assert.equal(isDirty(uri), false);
    const applied = (await browserStep('inpaint.expandAndApply', { expand: EXPAND, run: EXPAND_RUN, image: IMAGE }, 150_000)) as { width: number; height: number };
    assert.deepEqual([applied.width, applied.height], [GROWN.width, GROWN.height], 'the editor shows the grown size');
    await waitFor('the expansion to make the document dirty', () => isDirty(uri), (dirty) => dirty === true, 10_000);

    // Hot exit: VS Code asks for a backup shortly after the change; it holds the one expand edit at the grown size.
    if (codeServerUserDataDir()) {
      const backup = await waitFor(
        'a backup with the expand edit',
        () => {
          for (const f of backupFiles()) {
            try {
              const decoded = decodeInpaintBackup(new Uint8Array(fs.readFileSync(f)));
              const [edit] = decoded.edits;
              if (decoded.edits.length === 1 && edit?.kind === 'expand') return { file: f, decoded, edit };
            } catch {
              // Being written, or deleted meanwhile.
            }
          }
          return undefined;
        },
        (found) => found !== undefined,
        20_000,
        200,
      );
      const { decoded, edit } = backup!;
      assert.deepEqual([decoded.width, decoded.height], [IMAGE.width, IMAGE.height], "the header keeps the base's size");
      assert.equal(Buffer.compare(decoded.base.image, original), 0, 'the base is the file as read, byte for byte');
      assert.deepEqual(edit.from, IMAGE);
      assert.deepEqual(edit.to, GROWN);
      assert.deepEqual(edit.offset, { x: EXPAND.margins.left, y: EXPAND.margins.top });
      const restored = new InpaintEditModel(decoded.width, decoded.height, decoded.base, decoded.edits);
      assert.deepEqual([restored.width, restored.height], [GROWN.width, GROWN.height], 'a restore rebuilds the grown document');
      assert.equal(Buffer.compare(restored.image, edit.png), 0);
      assert.equal(restored.mask.data.length, GROWN.width * GROWN.height);
    }

    // Save writes a PNG of the grown size; the original sits at the left/top offset in it, bit for bit outside the
    // overlap band, and the new area was painted.
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the document to be saved', () => isDirty(uri), (dirty) => dirty === false, 10_000);
    const saved = new Uint8Array(fs.readFileSync(file));
    const out = await decodeRgba(saved);
    const before = await decodeRgba(original);
    assert.deepEqual([out.width, out.height], [GROWN.width, GROWN.height]);
    let kept = 0;
    const differing: [number, number][] = [];
    for (let y = 0; y < out.height; y++) {
      for (let x = 0; x < out.width; x++) {
        if (!keptByExpand(x, y)) continue;
        kept++;
        const o = (y * out.width + x) * 4;
        const b = ((y - EXPAND.margins.top) * IMAGE.width + (x - EXPAND.margins.left)) * 4;
        if (!out.data.subarray(o, o + 4).every((v, i) => v === before.data[b + i])) differing.push([x, y]);
      }
    }
    const keptBand = (IMAGE.width - 2 * EXPAND.overlap) * IMAGE.height;
    assert.equal(kept, keptBand, 'the pixels checked: the original less the overlap on the left and right');
    assert.deepEqual(differing.slice(0, 10), [], `${differing.length} of ${kept} pixel(s) outside the overlap changed`);
    const parameters = readPngTextChunks(saved).find((c) => c.keyword === 'parameters');
    assert.ok(parameters, 'the saved PNG carries the parameters chunk');
    assert.match(parameters.text, new RegExp(`^${EXPAND_RUN.prompt}\\n`));

    // Undo: the old size, and saving writes the original bytes back, byte for byte.
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to make the document dirty', () => isDirty(uri), (dirty) => dirty === true, 10_000);
    await browserStep('inpaint.waitReady', IMAGE, 30_000);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the undone state on disk', () => new Uint8Array(fs.readFileSync(file)), (bytes) => Buffer.compare(bytes, original) === 0, 10_000);
    await waitFor('the undone state saved', () => isDirty(uri), (dirty) => dirty === false, 10_000);

    // Redo: the grown size again (dirty against the file, which has the original).
    await vscode.commands.executeCommand('redo');
    await waitFor('redo to make the document dirty', () => isDirty(uri), (dirty) => dirty === true, 10_000);
    await browserStep('inpaint.waitReady', GROWN, 30_000);

    // Revert: the file is read again (the original size) and the document is clean; nothing was written.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('revert to make the document clean', () => isDirty(uri), (dirty) => dirty === false, 10_000);
    await browserStep('inpaint.waitReady', IMAGE, 30_000);
    assert.equal(Buffer.compare(fs.readFileSync(file), original), 0, 'revert wrote nothing');
  });
});
