import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { entriesToPrune, parseHistoryIndex, type HistoryEntry } from '../../src/common/history/historyIndex';
import { HISTORY_INDEX_FILE, HistoryStore, type HistoryInput } from '../../src/host/history/historyStore';
import { historyThumbnail, THUMBNAIL_SIDE } from '../../src/host/history/historyThumbnail';
import { readImageParameters, encodeImage } from '../../src/node/image/imageCodec';

async function png(width: number, height: number, value: number, parameters: string): Promise<Uint8Array> {
  const data = new Uint8Array(width * height * 3).fill(value);
  return encodeImage({ width, height, channels: 3, data }, 'png', { parameters });
}

async function input(n: number, size = 16): Promise<HistoryInput> {
  const parameters = `prompt ${n}\nSteps: 3, Sampler: Euler, CFG scale: 7, Seed: ${n}, Size: ${size}x${size}`;
  return { source: 'panel', png: await png(size, size, n * 10, parameters), width: size, height: size, prompt: `prompt ${n}`, seed: String(n), model: 'analytic-shapes', parameters };
}

describe('generation history store', () => {
  let folder: string;
  let clock = 1_000;
  const now = () => clock++;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-history-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('keeps the image bytes (with their parameters), a thumbnail and the index, and reads them back in a new store', async () => {
    const store = new HistoryStore({ folder, makeThumbnail: historyThumbnail, now });
    const first = await input(1, 100);
    const entry = await store.add({ ...first, id: 'result-1' });
    assert.equal(entry.id, 'result-1');
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(folder, entry.file))), first.png, 'the exact bytes');
    assert.equal(await readImageParameters(new Uint8Array(fs.readFileSync(path.join(folder, entry.file)))), first.parameters);
    const thumb = await sharp(path.join(folder, entry.thumbnail)).metadata();
    assert.deepEqual([thumb.width, thumb.height], [THUMBNAIL_SIDE, THUMBNAIL_SIDE]);

    // Another store (a window reload, a restart) reads the same history from index.json.
    const again = new HistoryStore({ folder, makeThumbnail: historyThumbnail, now });
    const listed = await again.list();
    assert.equal(listed.length, 1);
    assert.deepEqual(
      { id: listed[0]!.id, prompt: listed[0]!.prompt, seed: listed[0]!.seed, model: listed[0]!.model, source: listed[0]!.source, width: listed[0]!.width },
      { id: 'result-1', prompt: 'prompt 1', seed: '1', model: 'analytic-shapes', source: 'panel', width: 100 },
    );
    assert.deepEqual(await again.readImage('result-1'), first.png);
    // No temporary files are left beside the index.
    assert.deepEqual(fs.readdirSync(folder).sort(), [HISTORY_INDEX_FILE, 'result-1.png', 'result-1.thumb.png']);
  });

  it('lists newest first and prunes the oldest beyond the entry limit, files and all', async () => {
    const store = new HistoryStore({ folder, makeThumbnail: historyThumbnail, now, maxEntries: 3 });
    for (let n = 1; n <= 5; n++) await store.add({ ...(await input(n)), id: `r${n}` });
    assert.deepEqual((await store.list()).map((e) => e.id), ['r5', 'r4', 'r3']);
    assert.deepEqual(fs.readdirSync(folder).filter((f) => f.startsWith('r1') || f.startsWith('r2')), []);
    assert.ok(fs.existsSync(path.join(folder, 'r3.png')));
  });

  it('prunes by total bytes, always keeping the newest', async () => {
    const one = await input(1);
    const thumb = await historyThumbnail(one.png);
    const perEntry = one.png.byteLength + thumb.byteLength;
    const store = new HistoryStore({ folder, makeThumbnail: historyThumbnail, now, maxBytes: perEntry * 2 + 1 });
    for (let n = 1; n <= 4; n++) await store.add({ ...(await input(1)), id: `r${n}` });
    assert.deepEqual((await store.list()).map((e) => e.id), ['r4', 'r3']);
    const tiny = new HistoryStore({ folder: path.join(folder, 'tiny'), makeThumbnail: historyThumbnail, now, maxBytes: 1 });
    await tiny.add({ ...one, id: 'only' });
    await tiny.add({ ...one, id: 'newest' });
    assert.deepEqual((await tiny.list()).map((e) => e.id), ['newest']);
  });

  it('runs concurrent adds one after another (no lost entry)', async () => {
    const store = new HistoryStore({ folder, makeThumbnail: historyThumbnail, now });
    const inputs = await Promise.all([1, 2, 3, 4].map((n) => input(n)));
    await Promise.all(inputs.map((i, k) => store.add({ ...i, id: `c${k}` })));
    assert.equal((await new HistoryStore({ folder, makeThumbnail: historyThumbnail }).list()).length, 4);
  });

  it('records saved paths, removes entries, tells listeners', async () => {
    const store = new HistoryStore({ folder, makeThumbnail: historyThumbnail, now });
    let changes = 0;
    store.onDidChange(() => changes++);
    await store.add({ ...(await input(1)), id: 'a' });
    await store.markSaved('a', 'file:///w/generated/a.png');
    await store.markSaved('a', 'file:///w/generated/a.jpg');
    await store.markSaved('a', 'file:///w/generated/a.png');
    assert.deepEqual((await store.get('a'))!.savedTo, ['file:///w/generated/a.png', 'file:///w/generated/a.jpg']);
    await store.remove(['a']);
    assert.deepEqual(await store.list(), []);
    assert.ok(!fs.existsSync(path.join(folder, 'a.png')));
    assert.equal(changes, 5);
  });

  it('reads a damaged or foreign index defensively', async () => {
    fs.writeFileSync(path.join(folder, HISTORY_INDEX_FILE), '{ not json');
    assert.deepEqual(await new HistoryStore({ folder, makeThumbnail: historyThumbnail }).list(), []);
    const good: HistoryEntry = {
      id: 'g', createdAt: 5, source: 'inpaint', file: 'g.png', thumbnail: 'g.thumb.png', bytes: 10, width: 8, height: 8,
      prompt: 'p', seed: '3', model: 'm', parameters: '',
    };
    const parsed = parseHistoryIndex({ version: 1, entries: [good, { ...good, id: 'bad', file: '../escape.png' }, good, 'junk'] });
    assert.deepEqual(parsed.entries, [good]);
    assert.deepEqual(parseHistoryIndex({ version: 99, entries: [good] }).entries, []);
  });

  it('entriesToPrune: entry and byte limits', () => {
    const e = (id: string, bytes: number) => ({ id, bytes }) as HistoryEntry;
    const list = [e('a', 5), e('b', 5), e('c', 5)];
    assert.deepEqual(entriesToPrune(list, { maxEntries: 2, maxBytes: 100 }).map((x) => x.id), ['c']);
    assert.deepEqual(entriesToPrune(list, { maxEntries: 10, maxBytes: 10 }).map((x) => x.id), ['c']);
    assert.deepEqual(entriesToPrune(list, { maxEntries: 10, maxBytes: 1 }).map((x) => x.id), ['b', 'c']);
    assert.deepEqual(entriesToPrune(list, { maxEntries: 10, maxBytes: 100 }), []);
  });
});
