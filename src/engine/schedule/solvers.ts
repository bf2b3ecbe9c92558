/**
 * Flow-matching solvers over CPU Float32Arrays: Euler, UniPC-bh2 (./unipc.ts) and
 * DPM-Solver++(2M). The model predicts velocity v = noise − x0 at the sigmas of a flow schedule
 * (./schedules.ts); each solver turns (x_i, v_i) into x_{i+1}. Pure TS: runs in a worker and in Node.
 */
import { EngineError } from '../errors';
import { dpmCoefficients } from './coefficients';
import { SOLVER_NAMES, SolverBase, checkFlowSigmas, type FlowSolver, type SolverName } from './solver-base';
import { UniPcSolver } from './unipc';

export { SOLVER_NAMES, type FlowSolver, type SolverName, type SolverState } from './solver-base';

/** Euler on the flow ODE: x + (σ_{i+1} − σ_i)·v. */
class EulerSolver extends SolverBase {
  readonly name = 'euler' as const;

  protected advance(i: number, x: Float32Array, v: Float32Array): Float32Array {
    const dt = this.sigma(i + 1) - this.sigma(i);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) out[k] = (x[k] as number) + dt * (v[k] as number);
    return out;
  }
}

/**
 * DPM-Solver++(2M) in x0 prediction (diffusers DPMSolverMultistepScheduler, 'dpmsolver++',
 * solver_order 2, 'midpoint', lower_order_final, final sigma 0) with α = 1 − σ. The first and the
 * last step are first order. A history sigma of 1 (λ = −∞) makes r0 infinite and D1 zero, which
 * diffusers reaches through the same arithmetic; we take that limit explicitly.
 */
class DpmPp2mSolver extends SolverBase {
  readonly name = 'dpmpp-2m' as const;

  protected advance(i: number, x: Float32Array, v: Float32Array): Float32Array {
    const m1 = this.outputs[this.outputs.length - 1];
    const m0 = this.pushX0(i, x, v);
    const { ratio, c0, c1 } = dpmCoefficients(this.sigmas, i, m1 !== undefined);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const a = m0[k] as number;
      const d = m1 && c1 !== 0 ? a - (m1[k] as number) : 0;
      out[k] = ratio * (x[k] as number) + c0 * a + c1 * d;
    }
    return out;
  }
}

/** A fresh solver for a flow schedule (`sigmas`: N + 1 values in [0, 1], decreasing, last 0). */
export function createFlowSolver(name: SolverName, sigmas: number[]): FlowSolver {
  if (!SOLVER_NAMES.includes(name)) {
    throw new EngineError(
      'invalid-request',
      `Unknown solver '${String(name)}'. Should be one of: ${SOLVER_NAMES.join(', ')}.`,
    );
  }
  checkFlowSigmas(sigmas);
  switch (name) {
    case 'euler':
      return new EulerSolver(sigmas);
    case 'unipc':
      return new UniPcSolver(sigmas);
    case 'dpmpp-2m':
      return new DpmPp2mSolver(sigmas);
  }
}
