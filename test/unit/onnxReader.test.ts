import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, tensorAttr } from '../../tools/onnx/graphBuilder';
import { makeTensor, writeOnnxModel } from '../../src/node/onnx/onnxWriter';
import { defaultOpset, embeddedDataBytes } from '../../src/node/onnx/onnxModel';
import { readOnnxModel } from '../../src/node/onnx/readOnnxModel';
import { readInitializers, readTensorBytes } from '../../src/node/onnx/readInitializer';
import { rewriteOnnxModel } from '../../src/node/onnx/rewriteOnnxModel';
import { applyGraphEdits, type GraphEdit } from '../../src/node/onnx/graphEdit';
import { writeProtoParts } from '../../src/node/onnx/protoWriter';
import { graphSignature } from '../../src/engine/components/componentShapes';

const WEIGHT = Float32Array.from({ length: 64 * 64 }, (_, i) => ((i * 37) % 101) / 101 - 0.5);

/** y = (x · W + b) · 2, with a Constant node holding the 2 and symbolic/unknown dims on the edges. */
function buildModel(outputDims: (number | string)[] = ['batch', '']): GraphBuilder {
  const g = new GraphBuilder('reader');
  const x = g.addInput('x', 'float32', ['batch', 64]);
  const w = g.addInitializer('weight', WEIGHT, [64, 64]);
  const b = g.addInitializer('bias', Float32Array.from({ length: 64 }, (_, i) => i / 8), [64]);
  const two = g.op1('Constant', [], { value: tensorAttr(makeTensor('two', Float32Array.of(2), [])) }, { name: 'the_constant' });
  const y = g.op1('Mul', [g.op1('Add', [g.op1('MatMul', [x, w], {}, { name: 'matmul' }), b]), two]);
  g.addOutput('y', 'float32', outputDims, y);
  return g;
}

async function run(source: string | Uint8Array, folder?: string): Promise<Float32Array> {
  const options = folder ? { extra: { session: { model_external_initializers_file_folder_path: folder } } } : {};
  const session = typeof source === 'string' ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
  const x = new ort.Tensor('float32', Float32Array.from({ length: 128 }, (_, i) => Math.sin(i)), [2, 64]);
  const out = (await session.run({ x })).y.data as Float32Array;
  await session.release();
  return out;
}

describe('readOnnxModel', function () {
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-reader-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads inputs, outputs, opset, nodes and embedded initializer positions without their bytes', async () => {
    const file = path.join(dir, 'embedded', 'model.onnx');
    await writeOnnxModel(file, buildModel().toModel({ opsetVersion: 17 }));
    const model = readOnnxModel(file);
    assert.equal(defaultOpset(model), 17);
    assert.equal(model.irVersion, 8);
    assert.deepEqual(model.graph.inputs, [{ name: 'x', type: 'float32', dims: ['batch', 64], hasShape: true }]);
    assert.deepEqual(model.graph.outputs.map((o) => o.dims), [['batch', '']]);
    assert.deepEqual(model.graph.nodes.map((n) => n.opType), ['Constant', 'MatMul', 'Add', 'Mul', 'Identity']);
    assert.deepEqual(model.graph.nodes[1].inputs, ['x', 'weight']);
    assert.equal(model.graph.nodes[1].name, 'matmul');
    const constant = model.graph.nodes[0].attributes[0];
    assert.ok(constant.type === 'tensor' && constant.value.data.kind === 'embedded');
    const weight = model.graph.initializers.find((t) => t.name === 'weight');
    assert.ok(weight);
    assert.deepEqual([weight.type, weight.dims], ['float32', [64, 64]]);
    assert.equal(weight.data.kind, 'embedded');
    // The recorded offset is where raw_data lies in the file.
    const bytes = fs.readFileSync(file);
    const at = weight.data.kind === 'embedded' ? weight.data.offset : -1;
    assert.deepEqual(new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + WEIGHT.byteLength)), WEIGHT);
    assert.deepEqual(new Float32Array(readTensorBytes(model, weight).buffer), WEIGHT);
    assert.equal(embeddedDataBytes(model), WEIGHT.byteLength + 64 * 4);
  });

  it('reads external-data locations and their bytes on demand', async () => {
    const file = path.join(dir, 'external', 'model.onnx');
    await writeOnnxModel(file, buildModel().toModel(), { location: 'model.onnx_data', threshold: 100 });
    const model = readOnnxModel(file);
    const weight = model.graph.initializers.find((t) => t.name === 'weight');
    assert.ok(weight && weight.data.kind === 'external');
    assert.equal(weight.data.location, 'model.onnx_data');
    assert.equal(weight.data.length, WEIGHT.byteLength);
    assert.equal(embeddedDataBytes(model), 0);
    const read = readInitializers(model, ['weight', 'bias']);
    assert.deepEqual(new Float32Array((read.get('weight') as Uint8Array).buffer), WEIGHT);
    assert.equal(new Float32Array((read.get('bias') as Uint8Array).buffer)[8], 1);
    assert.throws(() => readInitializers(model, ['nope']), /no initializer named nope/);
  });

  it('gives the inputs and outputs ONNX Runtime reports (initializers listed as inputs left out)', async () => {
    // Declared dims: where a graph leaves an output dim unknown, ORT reports what its shape inference found.
    const g = buildModel(['batch', 64]);
    const file = path.join(dir, 'signature', 'model.onnx');
    const spec = g.toModel();
    // An initializer also declared as a graph input (allowed since IR 4): ORT does not list it as an input.
    spec.graph = { ...spec.graph, inputs: [...spec.graph.inputs, { name: 'bias', type: 'float32', dims: [64] }] };
    await writeOnnxModel(file, spec);
    const session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
    const fromOrt = (list: readonly ort.InferenceSession.ValueMetadata[]) =>
      list.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
    assert.deepEqual(graphSignature(readOnnxModel(file)), { inputs: fromOrt(session.inputMetadata), outputs: fromOrt(session.outputMetadata) });
    await session.release();
  });

  it('rewrites embedded weights into references to the original file, and replaces an initializer', async () => {
    const file = path.join(dir, 'rewrite', 'model.onnx');
    await writeOnnxModel(file, buildModel().toModel());
    const model = readOnnxModel(file);
    const before = await run(file);
    const referenced = path.join(dir, 'rewrite', 'referenced.onnx');
    writeProtoParts(referenced, rewriteOnnxModel(model, { referenceEmbeddedFrom: 1024 }));
    assert.ok(fs.statSync(referenced).size < 2048, 'the weights stay in model.onnx');
    const rewritten = readOnnxModel(referenced);
    const weight = rewritten.graph.initializers.find((t) => t.name === 'weight');
    assert.ok(weight && weight.data.kind === 'external' && weight.data.location === 'model.onnx');
    assert.deepEqual(await run(referenced), before);
    // Bias × 0: y = 2·x·W exactly where the bias was 0 (column 0), and shifted by −2·b elsewhere.
    const zeroBias = makeTensor('bias', new Float32Array(64), [64]);
    const edited = path.join(dir, 'rewrite', 'edited.onnx');
    writeProtoParts(edited, rewriteOnnxModel(model, { referenceEmbeddedFrom: 1024, replacedInitializers: new Map([['bias', zeroBias]]) }));
    const after = await run(edited);
    for (let i = 0; i < after.length; i++) assert.ok(Math.abs(after[i] - (before[i] - 2 * ((i % 64) / 8))) < 1e-4, `y[${i}]`);
  });

  it('applies GraphEdits: a node replaced by two, an initializer added', async () => {
    const file = path.join(dir, 'edit', 'model.onnx');
    await writeOnnxModel(file, buildModel().toModel());
    const model = readOnnxModel(file);
    const before = await run(file);
    const constant = model.graph.nodes.find((n) => n.name === 'the_constant');
    assert.ok(constant);
    const edit: GraphEdit = {
      key: 'constant 2 → 2 × 1.5',
      apply(graph) {
        graph.addInitializer(makeTensor('one_and_a_half', Float32Array.of(1.5), []));
        graph.replaceNode('the_constant', [
          { opType: 'Constant', inputs: [], outputs: ['two_again'], name: 'the_constant', attributes: { value: { type: 'tensor', value: makeTensor('v', Float32Array.of(2), []) } } },
          { opType: 'Mul', inputs: ['two_again', 'one_and_a_half'], outputs: constant.outputs, name: 'scaled_constant' },
        ]);
      },
    };
    const edited = path.join(dir, 'edit', 'edited.onnx');
    writeProtoParts(edited, rewriteOnnxModel(model, await applyGraphEdits(model, [edit], 1024)));
    const after = await run(edited);
    for (let i = 0; i < after.length; i++) assert.ok(Math.abs(after[i] - 1.5 * before[i]) < 1e-4, `y[${i}]`);
    assert.deepEqual(readOnnxModel(edited).graph.nodes.map((n) => n.name).slice(0, 2), ['the_constant', 'scaled_constant']);
  });

  it('rejects a truncated file', async () => {
    const file = path.join(dir, 'truncated', 'model.onnx');
    await writeOnnxModel(file, buildModel().toModel());
    fs.truncateSync(file, fs.statSync(file).size - 300);
    assert.throws(() => readOnnxModel(file), /truncated|malformed/);
  });
});
