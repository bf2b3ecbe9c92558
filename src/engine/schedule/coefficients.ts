/**
 * The scalar coefficients of the multistep solvers' updates, apart from the element-wise
 * arithmetic, so the CPU solvers (./solvers.ts, ./unipc.ts) and the GPU solver
 * (pipeline/gpu-solver.ts, a generated linear-combination graph) compute the same step.
 * Every update is ratio·x + c0·m0 + (history terms): see each function for its terms.
 */
import { lambda } from './solver-base';

/** bh2 coefficients of one step of log-SNR size h (hh = −h in the x0 parametrisation). */
function bh2(h: number): { hPhi1: number; bH: number; b1: number; b2: number } {
  const hh = -h;
  const hPhi1 = Math.expm1(hh);
  const bH = hPhi1;
  const k1 = hPhi1 / hh - 1;
  const k2 = k1 / hh - 1 / 2;
  return { hPhi1, bH, b1: k1 / bH, b2: (2 * k2) / bH };
}

/** DPM-Solver++(2M) step i: x_{i+1} = ratio·x + c0·m0 + c1·(m0 − m1); c1 = 0 without history or on the last step. */
export function dpmCoefficients(
  sigmas: readonly number[],
  i: number,
  hasM1: boolean,
): { ratio: number; c0: number; c1: number } {
  const sS = sigmas[i] as number;
  const sT = sigmas[i + 1] as number;
  const aT = 1 - sT;
  const h = lambda(sT) - lambda(sS);
  const phi = Math.expm1(-h); // e^{−h} − 1: −1 when σ_i = 1 or σ_{i+1} = 0
  let c1 = 0;
  if (hasM1 && i < sigmas.length - 2) {
    const r0 = (lambda(sS) - lambda(sigmas[i - 1] as number)) / h;
    if (Number.isFinite(r0)) c1 = (-0.5 * aT * phi) / r0;
  }
  return { ratio: sT / sS, c0: -aT * phi, c1 };
}

/** UniP step i: x_{i+1} = ratio·x + c0·m0 + cD·(m1 − m0) (m0 at σ_i, m1 at σ_{i−1}); cD = 0 at order 1. */
export function unipcPredictCoefficients(
  sigmas: readonly number[],
  i: number,
  hasM1: boolean,
): { ratio: number; c0: number; cD: number } {
  const sS = sigmas[i] as number;
  const sT = sigmas[i + 1] as number;
  const aT = 1 - sT;
  const h = lambda(sT) - lambda(sS);
  const { hPhi1, bH } = bh2(h);
  // D1 = (m1 − m0)/rk with rhos_p = [0.5] for order 2.
  const rk = hasM1 ? (lambda(sigmas[i - 1] as number) - lambda(sS)) / h : Number.NaN;
  return { ratio: sT / sS, c0: -aT * hPhi1, cD: Number.isFinite(rk) ? (-aT * bH * 0.5) / rk : 0 };
}

/**
 * UniC at step i (re-does σ_{i−1} → σ_i): x_i = ratio·last + c0·m0 + cT·(mT − m0) + cD·(m1 − m0),
 * m0 at σ_{i−1}, m1 at σ_{i−2}, mT the new x0; `order2`: the predictor that made x_i was order 2.
 */
export function unipcCorrectCoefficients(
  sigmas: readonly number[],
  i: number,
  order2: boolean,
): { ratio: number; c0: number; cT: number; cD: number } {
  const sS = sigmas[i - 1] as number;
  const sT = sigmas[i] as number;
  const aT = 1 - sT;
  const h = lambda(sT) - lambda(sS);
  const { hPhi1, bH, b1, b2 } = bh2(h);
  let rhoT = 0.5; // order 1: diffusers' fixed rhos_c = [0.5]
  let cD = 0;
  if (order2) {
    // Order 2: rhos_c = solve([[1, 1], [rk, 1]], [b1, b2]), written out.
    const rk = (lambda(sigmas[i - 2] as number) - lambda(sS)) / h;
    if (Number.isFinite(rk)) {
      const rho0 = (b1 - b2) / (1 - rk);
      rhoT = b1 - rho0;
      cD = (-aT * bH * rho0) / rk;
    } else {
      rhoT = b1;
    }
  }
  return { ratio: sT / sS, c0: -aT * hPhi1, cT: -aT * bH * rhoT, cD };
}
