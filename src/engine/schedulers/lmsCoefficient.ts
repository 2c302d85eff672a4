// LMSDiscreteScheduler.get_lms_coefficient (diffusers scheduling_lms_discrete.py): the integral over
// [σ_t, σ_{t+1}] of the Lagrange basis polynomial through the last `order` sigmas. diffusers integrates
// with scipy.integrate.quad (epsrel 1e-4); the integrand is a polynomial of degree order − 1 ≤ 3, so
// expanding it and integrating exactly gives the same value to float64 rounding.

/** ∫_{from}^{to} Π_{k ≠ j} (τ − nodes[k]) / (nodes[j] − nodes[k]) dτ. */
export function lagrangeBasisIntegral(nodes: readonly number[], j: number, from: number, to: number): number {
  // Polynomial coefficients, lowest degree first.
  let poly = [1];
  for (let k = 0; k < nodes.length; k++) {
    if (k === j) continue;
    const denominator = nodes[j] - nodes[k];
    const next = new Array<number>(poly.length + 1).fill(0);
    for (let d = 0; d < poly.length; d++) {
      next[d + 1] += poly[d] / denominator; // τ · c
      next[d] -= (poly[d] * nodes[k]) / denominator; // −σ_k · c
    }
    poly = next;
  }
  let integral = 0;
  for (let d = 0; d < poly.length; d++) integral += (poly[d] / (d + 1)) * (to ** (d + 1) - from ** (d + 1));
  return integral;
}

/** get_lms_coefficient(order, t, current_order) on the float32 sigma table. */
export function lmsCoefficient(sigmas: Float32Array, order: number, t: number, currentOrder: number): number {
  const nodes = Array.from({ length: order }, (_, k) => sigmas[t - k]);
  return lagrangeBasisIntegral(nodes, currentOrder, sigmas[t], sigmas[t + 1]);
}
