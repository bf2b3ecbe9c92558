/** Flow solvers (src/engine/schedule/solvers.ts): exactness on a point mass, accuracy on a Gaussian
 * target whose probability-flow velocity is closed form, bitwise crash-resume, and name checks. */
import { describe, expect, it } from 'vitest';
import { gaussianNoise } from '../../src/engine/random';
import {
  buildSchedule,
  createFlowSolver,
  SOLVER_NAMES,
  type ScheduleSpec,
  type SolverName,
} from '../../src/engine/schedule/index';

const K = 64;
const LINSPACE: ScheduleSpec = {
  spacing: 'flow-linspace',
  trainSteps: 1000,
  timestep: { from: 'sigma', scale: 1000 },
};
const UNIPC: ScheduleSpec = {
  spacing: 'flow-unipc',
  trainSteps: 1000,
  timestep: { from: 'sigma', scale: 1000, round: true },
};
const ZIMAGE: ScheduleSpec = {
  spacing: 'flow-diffusers-euler',
  trainSteps: 1000,
  timestep: { from: 'one-minus-sigma', scale: 1 },
};

type Velocity = (x: Float32Array, sigma: number) => Float32Array;

/** Runs a solver from `noise` over `sigmas`, asking `velocity` for the model output at each step. */
function integrate(
  name: SolverName,
  sigmas: number[],
  noise: Float32Array,
  velocity: Velocity,
): Float32Array {
  const solver = createFlowSolver(name, sigmas);
  let x = noise;
  for (let i = 0; i < sigmas.length - 1; i++) x = solver.step(i, x, velocity(x, sigmas[i] as number));
  return x;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs((a[k] as number) - (b[k] as number)));
  return m;
}

// Target x0 ~ N(μ_k, s_k²) per element. With a = 1 − σ, x_σ ~ N(aμ, a²s² + σ²) and the exact
// probability-flow velocity E[noise − x0 | x] is (σ − a·s²)(x − aμ)/(a²s² + σ²) − μ; its ODE maps
// noise n to μ + s·n at σ = 0 whatever the spacing, so the endpoint is known in closed form.
const mu = Float32Array.from({ length: K }, (_, k) => -1 + (2 * k) / (K - 1));
const sd = Float32Array.from({ length: K }, (_, k) => 0.5 + ((k * 37) % K) / (K - 1));
const gaussianVelocity: Velocity = (x, sigma) => {
  const a = 1 - sigma;
  return Float32Array.from(x, (xk, k) => {
    const m = mu[k] as number;
    const s2 = (sd[k] as number) ** 2;
    return ((sigma - a * s2) * (xk - a * m)) / (a * a * s2 + sigma * sigma) - m;
  });
};

describe('flow solvers: point-mass target (exact velocity)', () => {
  const x0 = Float32Array.from(gaussianNoise(K, 7), (v) => 0.5 * v + 0.25);
  const noise = gaussianNoise(K, 11);
  const pointVelocity: Velocity = (x, sigma) =>
    Float32Array.from(x, (xk, k) => (xk - (x0[k] as number)) / sigma);

  for (const name of SOLVER_NAMES) {
    it.each([1, 2, 4, 8])(`${name} lands on x0 with N = %i`, (steps) => {
      for (const sigmas of [
        buildSchedule(LINSPACE, steps, 3).sigmas,
        buildSchedule(UNIPC, steps, 8).sigmas,
        buildSchedule(ZIMAGE, steps, 3).sigmas,
      ]) {
        const x = integrate(name, sigmas, noise, pointVelocity);
        expect(maxAbsDiff(x, x0)).toBeLessThan(1e-5);
      }
    });
  }
});

describe('flow solvers: Gaussian target (closed-form probability flow)', () => {
  const noise = gaussianNoise(K, 42);
  const exact = Float32Array.from(noise, (n, k) => (mu[k] as number) + (sd[k] as number) * n);
  const errorAt = (name: SolverName, steps: number, shift: number): number =>
    maxAbsDiff(integrate(name, buildSchedule(LINSPACE, steps, shift).sigmas, noise, gaussianVelocity), exact);

  it.each([1, 3])('shift %f: fine Euler converges to the closed form at first order', (shift) => {
    // Euler's global error is ~C/N (C ≈ 4–6 here), so N 2000 is good to a few 1e-3 and N 20000 to < 5e-4.
    expect(errorAt('euler', 2000, shift)).toBeLessThan(5e-3);
    expect(errorAt('euler', 20000, shift)).toBeLessThan(5e-4);
  });

  it('shift 1, N 50: all agree with the exact flow; Euler is first order, UniPC and DPM++ second order', () => {
    const e50 = Object.fromEntries(SOLVER_NAMES.map((n) => [n, errorAt(n, 50, 1)])) as Record<
      SolverName,
      number
    >;
    const e100 = Object.fromEntries(SOLVER_NAMES.map((n) => [n, errorAt(n, 100, 1)])) as Record<
      SolverName,
      number
    >;
    console.log('N 50, shift 1: max |x − x_exact|', e50, 'N 100:', e100);
    // The floor is the last step, which every solver makes first order (it returns the x0
    // prediction at σ_{N−1}, as diffusers does with final sigma 0 / lower_order_final).
    expect(e50.unipc).toBeLessThan(3e-3);
    expect(e50['dpmpp-2m']).toBeLessThan(5e-3);
    expect(e50.euler).toBeLessThan(0.1);
    expect(e50.euler / e100.euler).toBeGreaterThan(1.8);
    expect(e50.euler / e100.euler).toBeLessThan(2.2);
    expect(e50.unipc / e100.unipc).toBeGreaterThan(3);
    expect(e50['dpmpp-2m'] / e100['dpmpp-2m']).toBeGreaterThan(3);
  });

  it.each([1, 3, 5])('shift %f, N 8: error ordering unipc ≤ dpmpp-2m < euler', (shift) => {
    const err = Object.fromEntries(SOLVER_NAMES.map((n) => [n, errorAt(n, 8, shift)])) as Record<
      SolverName,
      number
    >;
    console.log(`N 8, shift ${shift}: max |x − x_exact|`, err);
    expect(err.unipc).toBeLessThanOrEqual(err['dpmpp-2m']);
    expect(err['dpmpp-2m']).toBeLessThan(err.euler);
  });
});

describe('flow solvers: diffusers formulas', () => {
  // Goldens from a float64 numpy transliteration of diffusers' UniPCMultistepScheduler.step
  // (multistep_uni_p/c_bh_update, bh2, order 2) and DPMSolverMultistepScheduler (dpmsolver++ 2M,
  // midpoint), run on the same 4-element Gaussian problem. Diffusers' own flow sigmas start at
  // shift(0.999) < 1; FastWan's published ones start at exactly 1 (λ = −∞), where the numpy port
  // (LAPACK solve) and our explicit limit agree.
  const m = [0.3, -0.7, 1.1, 0];
  const s = [0.5, 1, 0.8, 1.4];
  const velocity: Velocity = (x, sigma) => {
    const a = 1 - sigma;
    return Float32Array.from(x, (xk, k) => {
      const s2 = (s[k] as number) ** 2;
      return (
        ((sigma - a * s2) * (xk - a * (m[k] as number))) / (a * a * s2 + sigma * sigma) - (m[k] as number)
      );
    });
  };
  const noise = Float32Array.from([1.2, -0.4, 0.05, -2.1]);
  const shift5 = (v: number): number => (5 * v) / (1 + 4 * v);
  const diffusersSigmas = [
    ...Array.from({ length: 6 }, (_, k) => shift5(1 - (1 + (6 - k) * ((1 / 1000 - 1) / 6)))),
    0,
  ];
  const cases: [string, number[], Record<'unipc' | 'dpmpp-2m', number[]>][] = [
    [
      'diffusers flow sigmas, N 6, shift 5',
      diffusersSigmas,
      {
        unipc: [0.56375584, -0.97352433, 1.1241481, -2.3238401],
        'dpmpp-2m': [0.56279559, -0.97041518, 1.1239522, -2.2827167],
      },
    ],
    [
      'FastWan published sigmas (σ0 = 1), N 4, shift 8',
      buildSchedule(UNIPC, 4, 8).sigmas,
      {
        unipc: [0.40961813, -0.83755959, 1.1113193, -1.3223492],
        'dpmpp-2m': [0.40948454, -0.83691508, 1.1112847, -1.3107754],
      },
    ],
  ];
  it.each(cases)('%s', (_label, sigmas, expected) => {
    for (const name of ['unipc', 'dpmpp-2m'] as const) {
      const x = integrate(name, sigmas, noise, velocity);
      expected[name].forEach((v, k) =>
        expect(Math.abs((x[k] as number) - v), `${name}[${k}]`).toBeLessThan(2e-6),
      );
    }
  });
});

describe('flow solvers: state and restore', () => {
  const noise = gaussianNoise(K, 5);
  const sigmas = buildSchedule(LINSPACE, 8, 3).sigmas;

  for (const name of SOLVER_NAMES) {
    it(`${name}: resuming from a JSON round-tripped state at every step is bitwise identical`, () => {
      const straight = integrate(name, sigmas, noise, gaussianVelocity);
      for (let cut = 0; cut <= 8; cut++) {
        let solver = createFlowSolver(name, sigmas);
        let x = noise;
        for (let i = 0; i < 8; i++) {
          if (i === cut) {
            const saved = JSON.parse(JSON.stringify(solver.state()));
            solver = createFlowSolver(name, sigmas);
            solver.restore(saved);
          }
          x = solver.step(i, x, gaussianVelocity(x, sigmas[i] as number));
        }
        expect(Array.from(x)).toEqual(Array.from(straight));
      }
    });
  }

  it('refuses out-of-order steps and foreign states', () => {
    const solver = createFlowSolver('unipc', sigmas);
    expect(() => solver.step(1, noise, noise)).toThrow(/expected step 0 of 8, got 1/);
    expect(() => createFlowSolver('dpmpp-2m', sigmas).restore(solver.state())).toThrow(/taken by 'unipc'/);
    const other = createFlowSolver('unipc', buildSchedule(LINSPACE, 8, 5).sigmas);
    expect(() => other.restore(solver.state())).toThrow(/sigmas differ/);
  });
});

describe('createFlowSolver: arguments', () => {
  it('throws on an unknown solver name, listing the valid ones', () => {
    expect(() => createFlowSolver('heun' as SolverName, [1, 0])).toThrow(
      "Unknown solver 'heun'. Should be one of: euler, unipc, dpmpp-2m.",
    );
  });

  it('rejects sigmas that are not a flow schedule', () => {
    expect(() =>
      createFlowSolver(
        'euler',
        buildSchedule(
          { spacing: 'eps-trailing', trainSteps: 1000, timestep: { from: 'train-index', scale: 1 } },
          1,
          1,
        ).sigmas,
      ),
    ).toThrow(/Flow solvers need/);
    expect(() => createFlowSolver('euler', [1, 0.5])).toThrow(/ending in 0/);
    expect(() => createFlowSolver('euler', [1, 0.5, 0.7, 0])).toThrow(/strictly decreasing/);
  });
});
