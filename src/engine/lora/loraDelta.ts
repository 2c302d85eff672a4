// One LoRA layer's weight change ΔW = scale · up · down in PyTorch's layout ([out, in] for Linear, [out, in, kh, kw]
// for Conv), scale = strength · alpha / rank. kohya sd-scripts `networks/lora.py` LoRAModule.merge_to:
//   Linear:   weight + multiplier · (up @ down) · scale
//   Conv 1×1: weight + multiplier · (up.squeeze(3).squeeze(2) @ down.squeeze(3).squeeze(2)).unsqueeze(2).unsqueeze(3) · scale
//   Conv k×k: weight + multiplier · conv2d(down.permute(1, 0, 2, 3), up).permute(1, 0, 2, 3) · scale
// (the k×k form with a 1×1 `up`, as LoCon has it, is Σ_r up[o, r] · down[r, i, y, x]: one matrix product with down
// as [r, in·kh·kw]). The product runs in ONNX Runtime (loraDeltaMatMul.ts): a real LoRA is billions of
// multiply-adds.
import { readSafetensorsFloat32 } from '../../node/lora/safetensorsFile';
import type { LoraFile, LoraModule } from '../../node/lora/loraFile';

export interface LoraFactors {
  /** scale · up, [out, r]. */
  up: Float32Array;
  /** down as [r, inner], inner = in (Linear) or in·kh·kw (Conv). */
  down: Float32Array;
  rank: number;
  out: number;
  inner: number;
  /** ΔW's PyTorch shape: [out, in] or [out, in, kh, kw]. */
  shape: number[];
}

/** alpha / rank (kohya LoRAModule: alpha defaults to the rank, PEFT without alpha: scale 1). */
export function loraScale(lora: LoraFile, module: LoraModule): number {
  if (!module.alpha) return 1;
  const alpha = readSafetensorsFloat32(lora.header, module.alpha)[0];
  if (!Number.isFinite(alpha)) throw new Error(`${lora.name}: ${module.alpha} is not a finite number`);
  return alpha / module.rank;
}

export function loraFactors(lora: LoraFile, module: LoraModule, strength: number): LoraFactors {
  const downInfo = lora.header.tensors.get(module.down);
  const upInfo = lora.header.tensors.get(module.up);
  if (!downInfo || !upInfo) throw new Error(`${lora.name}: ${module.sourceName} lacks its factors`);
  const rank = module.rank;
  const [r, inFeatures, ...kernel] = downInfo.shape;
  const [out, upRank, ...upKernel] = upInfo.shape;
  if (r !== rank || upRank !== rank || (kernel.length !== 0 && kernel.length !== 2)) {
    throw new Error(`${lora.name}: ${module.sourceName} has factors ${JSON.stringify(upInfo.shape)} · ${JSON.stringify(downInfo.shape)} that do not multiply`);
  }
  if (upKernel.length !== 0 && upKernel.some((k) => k !== 1)) {
    throw new Error(`${lora.name}: ${module.sourceName} has a ${upKernel.join('×')} lora_up; only 1×1 ones are merged`);
  }
  const scale = strength * loraScale(lora, module);
  const up = readSafetensorsFloat32(lora.header, module.up).map((x) => x * scale);
  const down = readSafetensorsFloat32(lora.header, module.down);
  const inner = inFeatures * (kernel.length === 2 ? kernel[0] * kernel[1] : 1);
  return { up, down, rank, out, inner, shape: kernel.length === 2 ? [out, inFeatures, kernel[0], kernel[1]] : [out, inFeatures] };
}
