// The image tools' engine requests as the extension's Explorer menus send them: through the forked engine process
// (dist/engine.js over IPC). upscaleImage on an analytic upscaler (tools/analytic/upscalerModel.ts) equals the closed
// form when tiled, reports each tile and stops between tiles when cancelled; without a model it is Lanczos at the
// exact size; removeBackground's alpha is the known function of the colour; bad requests are InvalidParams or
// ModelMismatch with one clear message, and the engine serves the next request.
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RasterImage } from '../../src/common/image/imageTypes';
import { PROTOCOL_VERSION, type EngineMethods, type EngineNotifications, type HostMethods } from '../../src/common/protocol/engineProtocol';
import type { UpscaleImageProgress } from '../../src/common/protocol/imageToolMessages';
import { CancellationSource, ErrorCode, RpcEndpoint, RpcFailure } from '../../src/common/protocol/rpc';
import { decodeImage, encodeImage } from '../../src/node/image/imageCodec';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { upscalerOracle, writeSegmenterModel, writeTwoInputModel, writeUpscalerModel } from '../../tools/analytic/upscalerModel';

const engineJs = path.resolve(__dirname, '../../../dist/engine.js');

function pattern(width: number, height: number): RasterImage {
  const data = new Uint8Array(width * height * 3);
  let s = 987;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s >>> 16) & 255;
  }
  return { width, height, channels: 3, data };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, stride: number): number {
  let d = 0;
  for (let i = 0; i < a.length / stride; i++) for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(a[i * stride + c] - b[i * 3 + c]));
  return d;
}

function failure(code: ErrorCode, pattern: RegExp) {
  return (e: unknown): boolean => e instanceof RpcFailure && e.code === code && pattern.test(e.message);
}

describe('image tool requests through the engine process', function () {
  this.timeout(120_000);
  let dir: string;
  let child: ChildProcess;
  let rpc: RpcEndpoint<HostMethods, EngineMethods, Record<string, never>, EngineNotifications>;
  const m = (name: string): string => path.join(dir, name);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-tools-'));
    await writeUpscalerModel(m('x2.onnx'), { scale: 2, dtype: 'float32' });
    fs.mkdirSync(m('rmbg-analytic'));
    await writeSegmenterModel(m('rmbg-analytic/model.onnx'), 64);
    await writeTwoInputModel(m('two.onnx'));
    await writeAnalyticModel(m('sd'), {});
    child = fork(engineJs, [], { serialization: 'advanced', silent: true });
    rpc = new RpcEndpoint((e) => child.send(e));
    child.on('message', (message) => rpc.receive(message));
    child.on('exit', () => rpc.dispose());
    await rpc.request('hello', { protocolVersion: PROTOCOL_VERSION });
  });
  after(() => {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('upscaleImage with a model: tiled, the closed form, progress per tile', async () => {
    const image = pattern(100, 70);
    const progress: UpscaleImageProgress[] = [];
    const result = await rpc.request('upscaleImage', { image: await encodeImage(image, 'png'), model: m('x2.onnx'), tile: 32, format: 'png' }, { onProgress: (p) => progress.push(p) });
    assert.deepEqual([result.width, result.height], [200, 140]);
    const out = await decodeImage(result.image);
    assert.ok(maxDiff(out.data, upscalerOracle(image, 2), out.channels) <= 1, 'equals the closed form across tile borders');
    assert.ok(progress.length > 1, `${progress.length} progress reports`);
    assert.deepEqual(progress.map((p) => p.tile), Array.from({ length: progress.length }, (_, i) => i + 1));
    assert.equal(progress.at(-1)?.tiles, progress.length);
    assert.match(result.description, /^x2\.onnx ×2, 12 tiles of 32 px, float32, cpu$/);
  });

  it('upscaleImage without a model: Lanczos at round(side × scale), WebP out', async () => {
    const result = await rpc.request('upscaleImage', { image: await encodeImage(pattern(33, 20), 'png'), scale: 3, format: 'webp' });
    assert.deepEqual([result.width, result.height], [99, 60]);
    const out = await decodeImage(result.image);
    assert.deepEqual([out.width, out.height], [99, 60]);
    assert.equal(result.description, 'Lanczos ×3');
  });

  it('upscaleImage is cancelled between tiles, and the engine serves the next request', async () => {
    const source = new CancellationSource();
    let seen = 0;
    await assert.rejects(
      rpc.request('upscaleImage', { image: await encodeImage(pattern(160, 160), 'png'), model: m('x2.onnx'), tile: 32, format: 'png' }, {
        cancellation: source.token,
        onProgress: (p) => {
          seen = Math.max(seen, p.tile);
          source.cancel();
        },
      }),
      (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.Cancelled,
    );
    assert.ok(seen >= 1 && seen < 25, `stopped after tile ${seen} of 25`);
    const next = await rpc.request('upscaleImage', { image: await encodeImage(pattern(8, 8), 'png'), format: 'png' });
    assert.deepEqual([next.width, next.height], [16, 16]);
  });

  it('removeBackground: the alpha is the known function of the colour', async () => {
    // Left black, a grey band, right white: the analytic mask is the min-max of the mean → 0, 128/255, 1.
    const w = 64;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill(x < 24 ? 0 : x < 40 ? 128 : 255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const result = await rpc.request('removeBackground', { image: await encodeImage({ width: w, height: w, channels: 3, data }, 'png'), model: m('rmbg-analytic'), format: 'png' });
    const out = await decodeImage(result.image);
    assert.equal(out.channels, 4);
    for (const [x, alpha] of [[5, 0], [31, 128], [60, 255]]) {
      for (const y of [0, 30, 63]) assert.ok(Math.abs(out.data[(y * w + x) * 4 + 3] - alpha) <= 1, `alpha at ${x},${y}: ${out.data[(y * w + x) * 4 + 3]} vs ${alpha}`);
    }
    assert.match(result.description, /rmbg-analytic at 64×64, preset rmbg/);
  });

  it('generate with removeBackground: the same RGB as without, alpha from the segmenter (circle vs background)', async () => {
    const params = { task: 'txt2img' as const, model: { dir: m('sd') }, executionProvider: 'cpu' as const, prompt: 'a white circle', guidanceScale: 1, width: 64, height: 64, steps: 6, seed: '3', previewEverySteps: 0 };
    const plain = await decodeImage((await rpc.request('generate', params)).images[0]!.png);
    const cut = await decodeImage((await rpc.request('generate', { ...params, removeBackground: { model: m('rmbg-analytic') } })).images[0]!.png);
    assert.deepEqual([plain.channels, cut.channels], [3, 4]);
    let rgb = 0;
    for (let i = 0; i < 64 * 64; i++) for (let c = 0; c < 3; c++) rgb = Math.max(rgb, Math.abs(plain.data[i * 3 + c]! - cut.data[i * 4 + c]!));
    assert.equal(rgb, 0, 'the RGB is untouched');
    const alpha = (x: number, y: number): number => cut.data[(y * 64 + x) * 4 + 3]!;
    // The segmenter's mask is the min-max of the mean colour: the white circle is opaque, the background clear.
    assert.ok(alpha(32, 32) >= 250, `centre alpha ${alpha(32, 32)}`);
    assert.ok(alpha(1, 1) <= 5, `corner alpha ${alpha(1, 1)}`);
    await assert.rejects(rpc.request('generate', { ...params, removeBackground: { model: m('x2.onnx'), preset: 'u2net' } }), failure(ErrorCode.ModelMismatch, /not a background-segmentation model/));
    await assert.rejects(rpc.request('generate', { ...params, removeBackground: { model: '' } }), failure(ErrorCode.InvalidParams, /removeBackground must be/));
  });

  it('bad requests: one clear error each', async () => {
    const png = await encodeImage(pattern(16, 16), 'png');
    const withAlpha = await encodeImage({ width: 8, height: 8, channels: 4, data: new Uint8Array(256).fill(100) }, 'png');
    await assert.rejects(rpc.request('upscaleImage', { image: png, format: 'gif' } as never), failure(ErrorCode.InvalidParams, /upscaleImage: format/));
    await assert.rejects(rpc.request('upscaleImage', { image: png, scale: 99, format: 'png' }), failure(ErrorCode.InvalidParams, /upscaleImage: scale/));
    await assert.rejects(rpc.request('upscaleImage', { image: new Uint8Array([1, 2, 3]), format: 'png' }), failure(ErrorCode.InvalidParams, /cannot be read/));
    await assert.rejects(rpc.request('upscaleImage', { image: withAlpha, format: 'jpeg' }), failure(ErrorCode.InvalidParams, /JPEG cannot hold transparency/));
    await assert.rejects(rpc.request('upscaleImage', { image: png, model: m('two.onnx'), format: 'png' }), failure(ErrorCode.ModelMismatch, /not a super-resolution model/));
    await assert.rejects(rpc.request('upscaleImage', { image: png, model: m('rmbg-analytic'), format: 'png' }), failure(ErrorCode.ModelMismatch, /not a super-resolution model/));
    await assert.rejects(rpc.request('removeBackground', { image: png, model: m('x2.onnx'), preset: 'u2net', format: 'png' }), failure(ErrorCode.ModelMismatch, /not a background-segmentation model/));
    await assert.rejects(rpc.request('removeBackground', { image: png, model: m('rmbg-analytic'), format: 'jpeg' } as never), failure(ErrorCode.InvalidParams, /removeBackground: format/));
    const ok = await rpc.request('removeBackground', { image: png, model: m('rmbg-analytic'), refine: false, format: 'webp' });
    assert.deepEqual([ok.width, ok.height], [16, 16]);
  });
});
