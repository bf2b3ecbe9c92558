/**
 * Flow-matching schedules. Sigmas run from 1 (pure noise) to 0 (clean) with the usual
 * time shift σ' = shift·σ / (1 + (shift − 1)·σ) (Wan / SD3 style); the transformer sees
 * timestep = σ · timestepScale.
 */

/** Shifted sigma for an unshifted σ ∈ [0, 1]. */
export function shiftSigma(sigma: number, shift: number): number {
  return (shift * sigma) / (1 + (shift - 1) * sigma);
}

/** steps + 1 sigmas: linspace(1, 0, steps + 1), shifted; the last is exactly 0. */
export function flowSigmas(steps: number, shift: number): number[] {
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
  if (!(shift > 0)) throw new RangeError(`shift must be positive, got ${shift}`);
  return Array.from({ length: steps + 1 }, (_, i) => shiftSigma(1 - i / steps, shift));
}

/** The transformer timesteps for each denoising step (one per step, not the final 0). */
export function flowTimesteps(sigmas: number[], timestepScale: number): number[] {
  return sigmas.slice(0, -1).map((s) => s * timestepScale);
}
