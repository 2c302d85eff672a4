// When ONNX Runtime cannot place a node on any execution provider it fails session creation with
// "Could not find an implementation for OP(version) node with name 'NAME'" (onnxruntime
// `core/framework/session_state.cc` / kernel registry lookup, status NOT_IMPLEMENTED). The usual cause with
// Stable Diffusion exports is a graph optimised for a GPU: ONNX Runtime's transformer optimizer and Olive fuse
// GroupNorm, NhwcConv, BiasSplitGelu, MultiHeadAttention and the like into com.microsoft contrib operators that
// have CUDA/DirectML kernels but no CPU one (microsoft/onnxruntime `onnxruntime/python/tools/transformers/
// models/stable_diffusion/`, microsoft/Olive `examples/directml/stable_diffusion_xl`). This turns that raw error
// into one that names the operator, why, and what to do.
import { readOnnxModel } from '../../node/onnx/readOnnxModel';

const MISSING_KERNEL = /Could not find an implementation for (\S+)\((\d+)\) node with name '([^']*)'/;

/** A user-facing explanation, or undefined when `message` is not a missing-kernel error. */
export function explainMissingKernel(message: string, component: string, file: string | undefined, provider: string): string | undefined {
  const m = MISSING_KERNEL.exec(message);
  if (!m) return undefined;
  const [, opType, , nodeName] = m;
  let domain = '';
  const fused = new Set<string>();
  if (file) {
    try {
      const nodes = readOnnxModel(file).graph.nodes;
      domain = nodes.find((n) => n.name === nodeName)?.domain ?? nodes.find((n) => n.opType === opType)?.domain ?? '';
      for (const n of nodes) if (n.domain === 'com.microsoft') fused.add(n.opType);
    } catch {
      // the graph could not be read again: explain from the message alone
    }
  }
  const where = `${component}/model.onnx`;
  const on = provider === 'cpu' ? 'the CPU execution provider' : `the ${provider} execution provider`;
  if (domain === 'com.microsoft') {
    const others = [...fused].filter((o) => o !== opType);
    return (
      `${where} uses ${opType} (com.microsoft)${others.length ? ` and other fused ONNX Runtime operators (${others.sort().join(', ')})` : ''}, which ${on} does not implement: ` +
      'this export was optimised for a GPU (ONNX Runtime / Olive fp16 graphs for CUDA or DirectML, e.g. onnxruntime/sdxl-turbo). ' +
      'Run it with the CUDA or DirectML provider, or use a plain export for the CPU (optimum-cli export onnx, fp32).'
    );
  }
  return `${where} uses ${opType}${domain ? ` (${domain})` : ''}, which ${on} does not implement (ONNX Runtime: "${m[0]}"). Use another execution provider or another export of this model.`;
}
