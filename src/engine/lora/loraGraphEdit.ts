// LoRA merged into a component's weights as a load-time graph edit (src/node/onnx/graphEdit.ts): for every
// weight some layer of some LoRA changes, W' = W + Σ strength · (alpha/rank) · up · down (loraDelta.ts,
// loraDeltaMatMul.ts), transposed where the graph holds Wᵀ (loraTargets.ts), computed in float32 and stored in the weight's own type (fp16 models
// get fp16 weights). Only the touched initializers are read; the others stay where they are (external data
// included) and the edited graph refers to them there (sessionSource.ts).
import * as fs from 'node:fs';
import type { EditableGraph, GraphEdit } from '../../node/onnx/graphEdit';
import type { OnnxModel } from '../../node/onnx/onnxModel';
import type { LoraFile, LoraModule, LoraTarget as LoraComponent } from '../../node/lora/loraFile';
import { fromFloat16Array, toFloat16Array } from '../tensor/float16';
import { loraFactors } from './loraDelta';
import { loraDeltaValues } from './loraDeltaMatMul';
import { GraphTargets, type LoraTarget } from './loraTargets';
import { addLoraBranches, branchRefusal, type LoraBranch } from './loraBranches';

export interface LoraUse {
  lora: LoraFile;
  /** The multiplier for this component (A1111: te for text encoders, unet for the UNet). */
  strength: number;
}

export interface LayerMatch {
  module: LoraModule;
  target?: LoraTarget;
  reason?: string;
}

/**
 * 'merge': W' = W + ΔW written into the weights (no cost per step; the merged weights are embedded in the graph
 * ONNX Runtime loads). 'branch': side branches beside the untouched weights (loraBranches.ts: a load as fast as the
 * plain model's, a little work per step).
 */
export type LoraApplyMode = 'merge' | 'branch';

/** Bumped when the merge changes, so cached edited graphs are not reused. */
const EDIT_FORMAT = 1;

/** The delta's PyTorch shape without reading the factors (from the safetensors header). */
function deltaShape(lora: LoraFile, module: LoraModule): number[] {
  const down = lora.header.tensors.get(module.down)?.shape ?? [];
  const up = lora.header.tensors.get(module.up)?.shape ?? [];
  return down.length === 4 ? [up[0], down[1], down[2], down[3]] : [up[0], down[1]];
}

/** Each of the LoRA's layers for `component`: the weight it lands on, or why none. */
export function matchLora(model: OnnxModel | GraphTargets, component: LoraComponent, lora: LoraFile): LayerMatch[] {
  const targets = model instanceof GraphTargets ? model : new GraphTargets(model);
  return lora.modules
    .filter((m) => m.target === component)
    .map((module) => {
      const found = targets.find(module.key, deltaShape(lora, module));
      return 'target' in found ? { module, target: found.target } : { module, reason: found.reason };
    });
}

export class LoraGraphEdit implements GraphEdit {
  readonly key: string;

  constructor(
    readonly component: LoraComponent,
    readonly uses: readonly LoraUse[],
    readonly mode: LoraApplyMode = 'merge',
  ) {
    this.key = JSON.stringify({
      edit: 'lora',
      format: EDIT_FORMAT,
      component,
      mode,
      loras: uses.map(({ lora, strength }) => {
        const stat = fs.statSync(lora.file);
        return { file: lora.file, size: stat.size, mtime: stat.mtimeMs, strength };
      }),
    });
  }

  async apply(graph: EditableGraph): Promise<void> {
    const targets = new GraphTargets(graph.model);
    // Each touched weight as float32, every LoRA's delta added in place (in the layout the graph stores).
    const weights = new Map<string, { target: LoraTarget; values: Float32Array }>();
    const branches: LoraBranch[] = [];
    const nodes = new Map(graph.model.graph.nodes.map((n) => [n.name, n]));
    for (const { lora, strength } of this.uses) {
      if (strength === 0) continue;
      for (const match of matchLora(targets, this.component, lora)) {
        if (!match.target) continue;
        const target = match.target;
        const node = nodes.get(target.node);
        if (this.mode === 'branch' && node && branchRefusal(node) === undefined) {
          branches.push({ target, factors: loraFactors(lora, match.module, strength) });
          continue;
        }
        let entry = weights.get(target.weight.name);
        if (!entry) {
          const bytes = graph.read(target.weight.name).slice();
          const values = target.weight.type === 'float16' ? fromFloat16Array(new Uint16Array(bytes.buffer)) : new Float32Array(bytes.buffer);
          weights.set(target.weight.name, (entry = { target, values }));
        }
        const delta = await loraDeltaValues(loraFactors(lora, match.module, strength), target.layout === 'transposed');
        const { values } = entry;
        if (delta.length !== values.length) {
          throw new Error(`${graph.model.file}: ${target.weight.name} holds ${values.length} values, the delta of ${match.module.sourceName} ${delta.length}`);
        }
        for (let i = 0; i < values.length; i++) values[i] += delta[i];
      }
    }
    addLoraBranches(graph, branches);
    for (const [name, { target, values }] of weights) {
      const half = target.weight.type === 'float16';
      const data = half ? toFloat16Array(values) : values;
      graph.setInitializer({
        name,
        type: half ? 'float16' : 'float32',
        dims: target.weight.dims,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      });
    }
  }
}
