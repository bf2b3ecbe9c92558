/** Flow-matching schedule (src/engine/schedule.ts): sigma count, endpoints, monotonicity, the
 * shift formula σ' = sσ / (1 + (s − 1)σ), argument checks and timestep scaling. */
import { describe, expect, it } from 'vitest';
import { flowSigmas, flowTimesteps, shiftSigma } from '../../src/engine/schedule/flow-sigmas';

describe('flowSigmas', () => {
  it.each([
    [1, 1],
    [8, 3],
    [50, 5],
  ])('steps %i shift %f: steps+1 values from 1 down to exactly 0', (steps, shift) => {
    const s = flowSigmas(steps, shift);
    expect(s).toHaveLength(steps + 1);
    expect(s[0]).toBe(1);
    expect(s[steps]).toBe(0);
    for (let i = 1; i < s.length; i++) expect(s[i] as number).toBeLessThan(s[i - 1] as number);
  });

  it('shift 1 is linspace(1, 0, steps + 1)', () => {
    const s = flowSigmas(4, 1);
    [1, 0.75, 0.5, 0.25, 0].forEach((v, i) => expect(s[i]).toBeCloseTo(v, 12));
  });

  it('applies the time shift: steps 4 shift 3 maps σ 0.5 to 0.75 and σ 0.25 to 0.5', () => {
    const s = flowSigmas(4, 3);
    expect(s[2]).toBeCloseTo(0.75, 12);
    expect(s[3]).toBeCloseTo(0.5, 12);
    expect(s[1]).toBeCloseTo((3 * 0.75) / (1 + 2 * 0.75), 12);
    expect(shiftSigma(0.5, 3)).toBeCloseTo(0.75, 12);
  });

  it('a shift above 1 keeps more steps at high noise than shift 1', () => {
    const plain = flowSigmas(8, 1);
    const shifted = flowSigmas(8, 5);
    for (let i = 1; i < 8; i++) expect(shifted[i] as number).toBeGreaterThan(plain[i] as number);
  });

  it.each([
    [0, 3, /steps must be a positive integer, got 0/],
    [2.5, 3, /steps must be a positive integer, got 2.5/],
    [-1, 3, /steps must be a positive integer/],
    [4, 0, /shift must be positive, got 0/],
    [4, -2, /shift must be positive/],
    [4, Number.NaN, /shift must be positive, got NaN/],
  ])('steps %s shift %s throws RangeError', (steps, shift, message) => {
    expect(() => flowSigmas(steps, shift)).toThrow(RangeError);
    expect(() => flowSigmas(steps, shift)).toThrow(message);
  });
});

describe('flowTimesteps', () => {
  it('scales every sigma but the final 0', () => {
    const t = flowTimesteps(flowSigmas(4, 1), 1000);
    expect(t).toHaveLength(4);
    [1000, 750, 500, 250].forEach((v, i) => expect(t[i]).toBeCloseTo(v, 9));
  });
});
