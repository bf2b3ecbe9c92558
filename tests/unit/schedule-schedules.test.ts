/** Schedule specs (src/engine/schedule/schedules.ts) against the published values of REAL_PACKS.md
 * §1 (Z-Image), §2a (SD-Turbo), §3a (FastWan), and 'flow-linspace' against schedule.ts flowSigmas. */
import { describe, expect, it } from 'vitest';
import { flowSigmas, flowTimesteps } from '../../src/engine/schedule/flow-sigmas';
import { buildSchedule, SIGMA_SPACINGS, type ScheduleSpec } from '../../src/engine/schedule/index';

const Z_IMAGE: ScheduleSpec = {
  spacing: 'flow-diffusers-euler',
  trainSteps: 1000,
  timestep: { from: 'one-minus-sigma', scale: 1, forceLast: 1 },
};
const FASTWAN: ScheduleSpec = {
  spacing: 'flow-unipc',
  trainSteps: 1000,
  timestep: { from: 'sigma', scale: 1000, round: true },
};
const SD_TURBO: ScheduleSpec = {
  spacing: 'eps-trailing',
  trainSteps: 1000,
  timestep: { from: 'train-index', scale: 1 },
};

function expectClose(actual: number[], expected: number[], tol: number): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((v, i) =>
    expect(Math.abs((actual[i] as number) - v), `index ${i}: ${actual[i]} vs ${v}`).toBeLessThanOrEqual(tol),
  );
}

describe('buildSchedule: published values', () => {
  it('Z-Image (flow-diffusers-euler, N 9, shift 3)', () => {
    const { sigmas, timesteps } = buildSchedule(Z_IMAGE, 9, 3);
    expectClose(sigmas, [1, 0.9547, 0.9004, 0.834, 0.7511, 0.6447, 0.503, 0.305, 0.0089, 0], 1e-4);
    expectClose(timesteps, [0, 0.0453, 0.0996, 0.166, 0.2489, 0.3553, 0.497, 0.695, 1.0], 1e-4);
    expect(sigmas[0]).toBe(1);
    expect(sigmas[9]).toBe(0);
    expect(timesteps[8]).toBe(1);
  });

  it('FastWan (flow-unipc, N 4, shift 8)', () => {
    const { sigmas, timesteps } = buildSchedule(FASTWAN, 4, 8);
    expectClose(sigmas, [1, 0.9601, 0.8891, 0.7281, 0], 1e-4);
    expect(timesteps).toEqual([1000, 960, 889, 728]);
  });

  it('SD-Turbo (eps-trailing, N 1): σ 14.6146 at t 999', () => {
    const { sigmas, timesteps } = buildSchedule(SD_TURBO, 1, 1);
    expectClose(sigmas, [14.6146, 0], 1e-4);
    expect(timesteps).toEqual([999]);
  });

  it('eps-trailing matches diffusers trailing spacing (numpy round half to even)', () => {
    expect(buildSchedule(SD_TURBO, 4, 1).timesteps).toEqual([999, 749, 499, 249]);
    expect(buildSchedule(SD_TURBO, 3, 1).timesteps).toEqual([999, 666, 332]);
    // 1000 − 3·62.5 = 812.5 → np.round → 812 → 811.
    expect(buildSchedule(SD_TURBO, 16, 1).timesteps.slice(0, 4)).toEqual([999, 937, 874, 811]);
    const { sigmas } = buildSchedule(SD_TURBO, 4, 1);
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i] as number).toBeLessThan(sigmas[i - 1] as number);
  });
});

describe('buildSchedule: flow-linspace equals schedule.ts', () => {
  it.each([
    [1, 1],
    [4, 3],
    [8, 5],
    [20, 8],
    [50, 1.5],
  ])('N %i shift %f: sigmas and timesteps bitwise equal', (steps, shift) => {
    const spec: ScheduleSpec = {
      spacing: 'flow-linspace',
      trainSteps: 1000,
      timestep: { from: 'sigma', scale: 1000 },
    };
    const { sigmas, timesteps } = buildSchedule(spec, steps, shift);
    expect(sigmas).toEqual(flowSigmas(steps, shift));
    expect(timesteps).toEqual(flowTimesteps(flowSigmas(steps, shift), 1000));
  });
});

describe('buildSchedule: arguments', () => {
  it('every spacing gives N + 1 decreasing sigmas ending in 0 and N timesteps', () => {
    for (const spacing of SIGMA_SPACINGS) {
      const { sigmas, timesteps } = buildSchedule(
        { spacing, trainSteps: 1000, timestep: { from: 'sigma', scale: 1 } },
        6,
        3,
      );
      expect(sigmas).toHaveLength(7);
      expect(timesteps).toHaveLength(6);
      expect(sigmas[6]).toBe(0);
      for (let i = 1; i < sigmas.length; i++)
        expect(sigmas[i] as number).toBeLessThan(sigmas[i - 1] as number);
    }
  });

  it('train-index on a flow spacing is σ·trainSteps', () => {
    const { sigmas, timesteps } = buildSchedule(
      { ...FASTWAN, timestep: { from: 'train-index', scale: 1 } },
      4,
      8,
    );
    timesteps.forEach((t, i) => expect(t).toBeCloseTo((sigmas[i] as number) * 1000, 9));
  });

  it.each([
    [0, 3, /steps must be a positive integer, got 0/],
    [2.5, 3, /steps must be a positive integer/],
    [4, 0, /shift must be positive, got 0/],
    [4, Number.NaN, /shift must be positive/],
  ])('steps %s shift %s throws RangeError', (steps, shift, message) => {
    expect(() => buildSchedule(Z_IMAGE, steps, shift)).toThrow(RangeError);
    expect(() => buildSchedule(Z_IMAGE, steps, shift)).toThrow(message);
  });

  it('rejects unknown spacings and timestep sources, listing the valid ones', () => {
    const badSpacing = { ...Z_IMAGE, spacing: 'karras' } as unknown as ScheduleSpec;
    expect(() => buildSchedule(badSpacing, 4, 3)).toThrow(
      /Unknown sigma spacing 'karras'. Should be one of: flow-linspace, flow-diffusers-euler, flow-unipc, eps-trailing/,
    );
    const badFrom = { ...Z_IMAGE, timestep: { from: 'tau', scale: 1 } } as unknown as ScheduleSpec;
    expect(() => buildSchedule(badFrom, 4, 3)).toThrow(
      /Should be one of: sigma, one-minus-sigma, train-index/,
    );
    expect(() => buildSchedule(SD_TURBO, 1001, 1)).toThrow(/cannot exceed trainSteps/);
    expect(() => buildSchedule({ ...Z_IMAGE, trainSteps: 0 }, 4, 3)).toThrow(/trainSteps/);
  });
});
