import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { floatAttr, GraphBuilder, onnxType, tensorAttr } from '../../tools/onnx/graphBuilder';
import { encodeModel, makeTensor, writeOnnxModel } from '../../src/node/onnx/onnxWriter';
import { float16BitsToFloat32, toFloat16Array } from '../../src/engine/tensor/float16';

function tensorMeta(session: ort.InferenceSession, name: string, which: 'input' | 'output' = 'input'): { type: string; shape: readonly (number | string)[] } {
  const list = which === 'input' ? session.inputMetadata : session.outputMetadata;
  const meta = list.find((m) => m.name === name);
  assert.ok(meta, `no ${which} named ${name}`);
  assert.ok(meta.isTensor);
  return { type: meta.type, shape: meta.shape };
}

describe('onnxWriter', function () {
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-writer-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function save(name: string, g: GraphBuilder, external?: { location: string; threshold?: number }): Promise<ort.InferenceSession> {
    const file = path.join(dir, name, 'model.onnx');
    await writeOnnxModel(file, g.toModel(), external);
    return ort.InferenceSession.create(file);
  }

  it('writes the ModelProto header and opset_import byte-exactly', () => {
    const g = new GraphBuilder('g');
    const x = g.addInput('x', 'float32', [2]);
    g.addOutput('y', 'float32', [2], g.op1('Neg', [x]));
    const bytes = encodeModel(g.toModel({ producerName: 'p' })).model;
    // ir_version (field 1, varint) = 8, producer_name (field 2) = "p".
    assert.deepEqual([...bytes.subarray(0, 5)], [0x08, 0x08, 0x12, 0x01, 0x70]);
    // opset_import (field 8, length 4): domain "" (0x0a 0x00), version 17 (0x10 0x11).
    assert.deepEqual([...bytes.subarray(bytes.length - 6)], [0x42, 0x04, 0x0a, 0x00, 0x10, 0x11]);
  });

  it('encodes negative and multi-byte int attributes (Concat axis -1, Flatten axis 300 rejected)', async () => {
    const g = new GraphBuilder('concat');
    const a = g.addInput('a', 'float32', [2, 1]);
    const b = g.addInput('b', 'float32', [2, 2]);
    g.addOutput('y', 'float32', [2, 3], g.op1('Concat', [a, b], { axis: -1 }));
    const session = await save('concat', g);
    const out = await session.run({
      a: new ort.Tensor('float32', Float32Array.of(1, 2), [2, 1]),
      b: new ort.Tensor('float32', Float32Array.of(3, 4, 5, 6), [2, 2]),
    });
    assert.deepEqual([...(out.y.data as Float32Array)], [1, 3, 4, 2, 5, 6]);
    await session.release();
    // A large axis (two-byte varint 300) is read back as 300 and rejected by the shape check.
    const bad = new GraphBuilder('flatten');
    const x = bad.addInput('x', 'float32', [2, 2]);
    bad.addOutput('y', 'float32', [2, 2], bad.op1('Flatten', [x], { axis: 300 }));
    await assert.rejects(save('flatten', bad), /300|axis/i);
  });

  it('runs Add with a broadcast float initializer and symbolic dims', async () => {
    const g = new GraphBuilder('add');
    const x = g.addInput('x', 'float32', ['batch', 3]);
    g.addOutput('y', 'float32', ['batch', 3], g.op1('Add', [x, g.constFloat([1, 2, 3], [1, 3])]));
    const session = await save('add', g);
    assert.deepEqual(tensorMeta(session, 'x'), { type: 'float32', shape: ['batch', 3] });
    assert.deepEqual(tensorMeta(session, 'y', 'output'), { type: 'float32', shape: ['batch', 3] });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(0.5, 0, -1, 10, 20, 30), [2, 3]) });
    assert.deepEqual([...(out.y.data as Float32Array)], [1.5, 2, 2, 11, 22, 33]);
    assert.deepEqual(out.y.dims, [2, 3]);
    await session.release();
  });

  it('runs MatMul with a weight matrix', async () => {
    const g = new GraphBuilder('matmul');
    const x = g.addInput('x', 'float32', [1, 2]);
    const w = g.addInitializer('w', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    g.addOutput('y', 'float32', [1, 3], g.op1('MatMul', [x, w]));
    const session = await save('matmul', g);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, -1), [1, 2]) });
    assert.deepEqual([...(out.y.data as Float32Array)], [-3, -3, -3]);
    await session.release();
  });

  it('runs Gather with int32 and int64 indices, ReduceSum with axes input, Cast and Reshape', async () => {
    for (const idType of ['int32', 'int64'] as const) {
      const g = new GraphBuilder('gather');
      const ids = g.addInput('ids', idType, ['batch', 'sequence']);
      const table = g.addInitializer('table', Float32Array.of(0, 0, 1, 10, 2, 20, 3, 30), [4, 2]);
      const rows = g.op1('Gather', [table, ids], { axis: 0 });
      g.addOutput('rows', 'float32', ['batch', 'sequence', 2], rows);
      const summed = g.op1('ReduceSum', [rows, g.constInt64([1])], { keepdims: 0 });
      g.addOutput('summed_i64', 'int64', ['batch', 2], g.cast(summed, 'int64'));
      g.addOutput('flat', 'float32', ['n'], g.op1('Reshape', [rows, g.constInt64([-1])]));
      const session = await save(`gather-${idType}`, g);
      assert.deepEqual(tensorMeta(session, 'ids'), { type: idType, shape: ['batch', 'sequence'] });
      assert.deepEqual(tensorMeta(session, 'summed_i64', 'output').type, 'int64');
      const idData = idType === 'int32' ? Int32Array.of(1, 3, 2, 0) : BigInt64Array.of(1n, 3n, 2n, 0n);
      const out = await session.run({ ids: new ort.Tensor(idType, idData, [2, 2]) });
      assert.deepEqual([...(out.rows.data as Float32Array)], [1, 10, 3, 30, 2, 20, 0, 0]);
      assert.deepEqual(out.rows.dims, [2, 2, 2]);
      assert.deepEqual([...(out.summed_i64.data as BigInt64Array)], [4n, 40n, 2n, 20n]);
      assert.deepEqual(out.flat.dims, [8]);
      await session.release();
    }
  });

  it('writes float16 I/O, float16 initializers, float and tensor attributes', async () => {
    const g = new GraphBuilder('half');
    const x = g.addInput('x', 'float16', [2, 'width']);
    const scale = g.addInitializer('scale', toFloat16Array([2, -0.5]), [2, 1]);
    const scaled = g.op1('Mul', [x, scale]);
    // LeakyRelu alpha = 0.25 (FLOAT), then + constant from ConstantOfShape's tensor attribute (1.0).
    const leaky = g.op1('LeakyRelu', [scaled], { alpha: 0.25 });
    const ones = g.op1('ConstantOfShape', [g.op1('Shape', [x])], { value: tensorAttr(makeTensor('v', Float32Array.of(1), [1])) });
    const sum = g.op1('Add', [g.cast(leaky, 'float32'), ones]);
    const clipped = g.op1('Clip', [sum, g.constFloat(-100), g.constFloat(100)]);
    const elu = g.op1('Elu', [clipped], { alpha: floatAttr(1) });
    g.addOutput('y', 'float16', [2, 'width'], g.op1('Cast', [elu], { to: onnxType('float16') }));
    const session = await save('half', g);
    assert.deepEqual(tensorMeta(session, 'x'), { type: 'float16', shape: [2, 'width'] });
    assert.deepEqual(tensorMeta(session, 'y', 'output'), { type: 'float16', shape: [2, 'width'] });
    const out = await session.run({ x: new ort.Tensor('float16', toFloat16Array([1, -2, 3, 4]), [2, 2]) });
    // row 0: ×2 → [2, -4] → leaky [2, -1] → +1 → [3, 0]; row 1: ×-0.5 → [-1.5, -2] → [-0.375, -0.5] → [0.625, 0.5].
    const y = Array.from(out.y.data as Uint16Array, float16BitsToFloat32);
    assert.deepEqual(y, [3, 0, 0.625, 0.5]);
    await session.release();
  });

  it('declares a rank-0 input and int attributes lists', async () => {
    const g = new GraphBuilder('scalar');
    const t = g.addInput('t', 'float32', []);
    const x = g.addInput('x', 'float32', [1, 1, 2, 2]);
    const pooled = g.op1('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
    g.addOutput('y', 'float32', [1, 1, 1, 1], g.op1('Mul', [pooled, t]));
    const session = await save('scalar', g);
    assert.deepEqual(tensorMeta(session, 't'), { type: 'float32', shape: [] });
    const out = await session.run({
      t: new ort.Tensor('float32', Float32Array.of(3), []),
      x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [1, 1, 2, 2]),
    });
    assert.deepEqual([...(out.y.data as Float32Array)], [7.5]);
    await session.release();
  });

  for (const location of ['model.onnx_data', 'weights.pb']) {
    it(`stores initializers above the threshold in ${location}`, async () => {
      const g = new GraphBuilder('external');
      const x = g.addInput('x', 'float32', [1, 300]);
      const big = new Float32Array(300).map((_, i) => i);
      const big2 = new Float32Array(70000).map((_, i) => (i % 7) - 3); // ≥ 256 KiB → second tensor, aligned offset
      const small = g.constFloat([0.5]);
      const y = g.op1('Mul', [g.op1('Add', [x, g.addInitializer('big', big, [1, 300])]), small]);
      const s2 = g.op1('ReduceSum', [g.addInitializer('big2', big2, [70000]), g.constInt64([0])], { keepdims: 1 });
      g.addOutput('y', 'float32', [1, 300], y);
      g.addOutput('s2', 'float32', [1], s2);
      const file = path.join(dir, `ext-${location}`, 'model.onnx');
      const written = await writeOnnxModel(file, g.toModel(), { location, threshold: 100 });
      const side = path.join(path.dirname(file), location);
      assert.deepEqual(written, [file, side]);
      // The side file holds both big tensors; the .onnx file holds neither.
      assert.ok(fs.statSync(side).size >= (300 + 70000) * 4);
      assert.ok(fs.statSync(file).size < 2000, `model.onnx is ${fs.statSync(file).size} bytes`);
      assert.ok(fs.readFileSync(file).includes(Buffer.from(location)));
      const session = await ort.InferenceSession.create(file);
      const input = new Float32Array(300).fill(2);
      const out = await session.run({ x: new ort.Tensor('float32', input, [1, 300]) });
      const yData = out.y.data as Float32Array;
      for (let i = 0; i < 300; i++) assert.equal(yData[i], (i + 2) * 0.5);
      const expectedS2 = big2.reduce((a, b) => a + b, 0);
      assert.equal((out.s2.data as Float32Array)[0], expectedS2);
      await session.release();
    });
  }

  it('fails to load when the external data file is missing (so the test above proves it is read)', async () => {
    const g = new GraphBuilder('missing');
    const x = g.addInput('x', 'float32', [256]);
    g.addOutput('y', 'float32', [256], g.op1('Add', [x, g.addInitializer('w', new Float32Array(256).fill(1), [256])]));
    const file = path.join(dir, 'missing', 'model.onnx');
    await writeOnnxModel(file, g.toModel(), { location: 'weights.pb', threshold: 100 });
    fs.rmSync(path.join(dir, 'missing', 'weights.pb'));
    await assert.rejects(ort.InferenceSession.create(file));
  });
});
