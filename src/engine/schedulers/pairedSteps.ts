// Step counting for the two-evaluation schedulers (HeunDiscreteScheduler, DPMSolverSDEScheduler: diffusers
// order 2). Their timesteps are [t0, t1, t1, …, t(n−1), t(n−1)] (2n − 1 entries): entries 2k and 2k + 1
// are one step (a first-order predictor, then the correction), the last entry is a plain Euler step to σ = 0.

/** The user steps of a loop of `loopLength` entries that starts at an even schedule index. */
export function pairedStepCount(loopLength: number): number {
  return Math.floor((loopLength + 1) / 2);
}

/** Steps finished after loop entry `loopIndex`. */
export function pairedCompletedSteps(loopIndex: number, loopLength: number): number {
  if (loopIndex >= loopLength - 1) return pairedStepCount(loopLength);
  return Math.floor((loopIndex + 1) / 2);
}
