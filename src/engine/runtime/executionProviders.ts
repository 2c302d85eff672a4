import type { ConcreteExecutionProvider, ExecutionProviderName } from '../../common/protocol/engineProtocol';

/** Human names for messages. */
export const PROVIDER_LABELS: Record<ConcreteExecutionProvider, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
};

export interface ProviderPlan {
  /** Providers to try, best first; the last is always 'cpu'. */
  candidates: ConcreteExecutionProvider[];
  /** Why a requested provider is not even tried (e.g. CUDA binaries not installed). */
  skipped: string[];
}

/**
 * Which providers to try for a request. `auto` picks the platform's GPU provider (DirectML on Windows,
 * CoreML on macOS, CUDA on Linux when its binaries were installed), then CPU. WebGPU is tried only when
 * asked for: on a machine without a GPU its Dawn backend can fall back to a software adapter that is far
 * slower than the CPU provider, so `auto` must not pick it blindly.
 */
export function planProviders(
  requested: ExecutionProviderName,
  installed: readonly ConcreteExecutionProvider[],
  platform: NodeJS.Platform = process.platform,
): ProviderPlan {
  const skipped: string[] = [];
  const candidates: ConcreteExecutionProvider[] = [];
  const want = (p: ConcreteExecutionProvider, why: string): void => {
    if (installed.includes(p)) candidates.push(p);
    else skipped.push(`${PROVIDER_LABELS[p]} is not available: ${why}`);
  };
  switch (requested) {
    case 'auto':
      if (platform === 'win32') want('dml', 'this onnxruntime-node build has no DirectML provider.');
      else if (platform === 'darwin') want('coreml', 'this onnxruntime-node build has no CoreML provider.');
      else if (platform === 'linux' && installed.includes('cuda')) candidates.push('cuda');
      else if (platform === 'linux')
        skipped.push('no GPU provider: CUDA is not installed (see README, "CUDA on Linux"); using the CPU.');
      break;
    case 'cpu':
      break;
    case 'cuda':
      want('cuda', 'the CUDA provider library is not installed (see README: ONNXRUNTIME_NODE_INSTALL=cuda12).');
      break;
    case 'dml':
      want('dml', 'DirectML exists only in the Windows build of onnxruntime-node.');
      break;
    case 'coreml':
      want('coreml', 'CoreML exists only in the macOS build of onnxruntime-node.');
      break;
    case 'webgpu':
      want('webgpu', 'this onnxruntime-node build has no WebGPU provider.');
      break;
  }
  candidates.push('cpu');
  return { candidates, skipped };
}
