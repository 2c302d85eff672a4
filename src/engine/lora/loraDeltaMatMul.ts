// up · down (or its transpose, for weights a graph holds as Wᵀ) computed by ONNX Runtime on the CPU: one tiny
// graph with symbolic dims, created once per engine process. MLAS's threaded GEMM makes a rank-32 SD LoRA's
// billions of multiply-adds take a moment instead of minutes of JavaScript loops.
import { encodeModel } from '../../node/onnx/onnxWriter';
import { floatTensor, OnnxSession, toFloat32 } from '../runtime/ort';
import type { LoraFactors } from './loraDelta';

let session: Promise<OnnxSession> | undefined;

function deltaSession(): Promise<OnnxSession> {
  session ??= (async () => {
    const perm = { perm: { type: 'ints', value: [1, 0] } } as const;
    const { model } = encodeModel({
      producerName: 'local-diffusion lora delta',
      graph: {
        name: 'lora_delta',
        nodes: [
          { opType: 'MatMul', inputs: ['up', 'down'], outputs: ['delta'], name: 'delta' },
          { opType: 'Transpose', inputs: ['down'], outputs: ['down_t'], name: 'down_t', attributes: perm },
          { opType: 'Transpose', inputs: ['up'], outputs: ['up_t'], name: 'up_t', attributes: perm },
          { opType: 'MatMul', inputs: ['down_t', 'up_t'], outputs: ['delta_t'], name: 'delta_t' },
        ],
        initializers: [],
        inputs: [
          { name: 'up', type: 'float32', dims: ['out', 'rank'] },
          { name: 'down', type: 'float32', dims: ['rank', 'inner'] },
        ],
        outputs: [
          { name: 'delta', type: 'float32', dims: ['out', 'inner'] },
          { name: 'delta_t', type: 'float32', dims: ['inner', 'out'] },
        ],
      },
    });
    return OnnxSession.create({ kind: 'graph', file: 'lora-delta.onnx', bytes: model, folder: '.' }, { provider: 'cpu' });
  })();
  session.catch(() => (session = undefined));
  return session;
}

/** ΔW as [out, inner] (`transposed` false) or [inner, out] (true), float32. */
export async function loraDeltaValues(factors: LoraFactors, transposed: boolean): Promise<Float32Array> {
  const s = await deltaSession();
  const name = transposed ? 'delta_t' : 'delta';
  const result = await s.run(
    { up: floatTensor('float32', factors.up, [factors.out, factors.rank]), down: floatTensor('float32', factors.down, [factors.rank, factors.inner]) },
    [name],
  );
  return toFloat32(result[name]);
}
