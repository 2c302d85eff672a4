// The analytic model's LoRA test layers: identities at the module paths real SD exports have, named the way
// torch.onnx names them (a Linear → MatMul(x, Wᵀ) with an anonymous `onnx::MatMul_N` initializer; a Conv with its
// parameter names), so a LoRA's delta on them changes the output by a known linear map and nothing else.
import type { GraphBuilder } from '../onnx/graphBuilder';
import { toFloat16Array } from '../../src/engine/tensor/float16';
import { LATENT_CHANNELS } from './linearVae';

/** Module paths of the test layers (diffusers names). */
export const LORA_LAYER_PATHS = {
  textEncoderQ: 'text_model.encoder.layers.0.self_attn.q_proj',
  unetToK: 'down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k',
  unetConv1x1: 'down_blocks.0.resnets.0.conv1',
  unetConv3x3: 'up_blocks.0.resnets.0.conv2',
  unetGemm: 'time_embedding.linear_1',
} as const;

/** torch.onnx's node name of a module's op: `/a.0/b/to_k/MatMul`. */
export function onnxNodeName(modulePath: string, op: string): string {
  return `/${modulePath.split('.').reduce<string[]>((parts, part) => {
    // diffusers module names join a container and its index with '.': `down_blocks.0` is one scope.
    if (/^\d+$/.test(part) && parts.length > 0) parts[parts.length - 1] += `.${part}`;
    else parts.push(part);
    return parts;
  }, []).join('/')}/${op}`;
}

function identity(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** x [..., n] · I as `modulePath`'s MatMul (float16 weights: computed in float16, float32 around it). */
export function identityLinear(g: GraphBuilder, x: string, n: number, modulePath: string, weightId: number, half: boolean): string {
  const name = `onnx::MatMul_${weightId}`;
  if (!half) return g.op1('MatMul', [x, g.addInitializer(name, identity(n), [n, n])], {}, { name: onnxNodeName(modulePath, 'MatMul') });
  const weight = g.addInitializer(name, toFloat16Array(identity(n)), [n, n], 'float16');
  const y = g.op1('MatMul', [g.cast(x, 'float16', 'float32'), weight], {}, { name: onnxNodeName(modulePath, 'MatMul') });
  return g.cast(y, 'float32', 'float16');
}

/** x [B, n] · Iᵀ + 0 as `modulePath`'s Gemm (transB = 1: the weight [out, in] as PyTorch holds it, named after it). */
export function identityGemm(g: GraphBuilder, x: string, n: number, modulePath: string): string {
  const weight = g.addInitializer(`${modulePath}.weight`, identity(n), [n, n]);
  const bias = g.addInitializer(`${modulePath}.bias`, new Float32Array(n), [n]);
  return g.op1('Gemm', [x, weight, bias], { transB: 1 }, { name: onnxNodeName(modulePath, 'Gemm') });
}

/** A k×k identity Conv over the latent channels (zero bias, same padding), weights named after the module. */
export function identityConv(g: GraphBuilder, x: string, kernel: 1 | 3, modulePath: string): string {
  const c = LATENT_CHANNELS;
  const taps = kernel * kernel;
  const w = new Float32Array(c * c * taps);
  const centre = Math.floor(taps / 2);
  for (let i = 0; i < c; i++) w[(i * c + i) * taps + centre] = 1;
  const weight = g.addInitializer(`${modulePath}.weight`, w, [c, c, kernel, kernel]);
  const bias = g.addInitializer(`${modulePath}.bias`, new Float32Array(c), [c]);
  const pad = (kernel - 1) / 2;
  return g.op1('Conv', [x, weight, bias], { kernel_shape: [kernel, kernel], pads: [pad, pad, pad, pad] }, { name: onnxNodeName(modulePath, 'Conv') });
}
