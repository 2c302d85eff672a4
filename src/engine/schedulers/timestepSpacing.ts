// The "leading" / "trailing" / "linspace" timestep spacings (https://huggingface.co/papers/2305.08891,
// Table 2) as each diffusers scheduler family computes them. They differ in small ways per family.
import { numpyArange, numpyLinspace, roundHalfEven } from './scheduleMath';
import type { TimestepSpacing } from './schedulerConfig';

/** np.round(np.arange(start, 0, -step)) − 1: the shared "trailing" rule. */
function trailing(start: number, numTrainTimesteps: number, n: number): number[] {
  return numpyArange(start, 0, -(numTrainTimesteps / n)).map((t) => roundHalfEven(t) - 1);
}

function unsupported(spacing: string): never {
  throw new Error(`timestep_spacing ${JSON.stringify(spacing)} is not supported (use "leading", "trailing" or "linspace")`);
}

/** Integer timesteps of DDIMScheduler.set_timesteps (scheduling_ddim.py). */
export function ddimTimesteps(spacing: TimestepSpacing, n: number, numTrainTimesteps: number, stepsOffset: number): number[] {
  switch (spacing) {
    case 'linspace':
      return numpyLinspace(0, numTrainTimesteps - 1, n).map(roundHalfEven).reverse();
    case 'leading': {
      const ratio = Math.floor(numTrainTimesteps / n);
      return Array.from({ length: n }, (_, i) => (n - 1 - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return trailing(numTrainTimesteps, numTrainTimesteps, n);
    default:
      return unsupported(spacing);
  }
}

/** Float32 timesteps of EulerDiscreteScheduler / EulerAncestralDiscreteScheduler.set_timesteps. */
export function eulerTimesteps(spacing: TimestepSpacing, n: number, numTrainTimesteps: number, stepsOffset: number): number[] {
  const f = Math.fround;
  switch (spacing) {
    case 'linspace':
      return numpyLinspace(0, numTrainTimesteps - 1, n).map(f).reverse();
    case 'leading': {
      const ratio = Math.floor(numTrainTimesteps / n);
      return Array.from({ length: n }, (_, i) => f((n - 1 - i) * ratio + stepsOffset));
    }
    case 'trailing':
      return trailing(numTrainTimesteps, numTrainTimesteps, n).map(f);
    default:
      return unsupported(spacing);
  }
}

/**
 * Integer timesteps of DPMSolverMultistepScheduler.set_timesteps: n + 1 points with the last dropped
 * for linspace/leading; `lastTimestep` is num_train_timesteps minus the lambda_min_clipped cut.
 */
export function dpmSolverTimesteps(
  spacing: TimestepSpacing,
  n: number,
  numTrainTimesteps: number,
  lastTimestep: number,
  stepsOffset: number,
): number[] {
  switch (spacing) {
    case 'linspace':
      return numpyLinspace(0, lastTimestep - 1, n + 1).map(roundHalfEven).reverse().slice(0, n);
    case 'leading': {
      const ratio = Math.floor(lastTimestep / (n + 1));
      return Array.from({ length: n }, (_, i) => (n - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return trailing(lastTimestep, numTrainTimesteps, n);
    default:
      return unsupported(spacing);
  }
}
