/**
 * "Test this pack" sanity figures of one stage output: min, max, mean and how many values are
 * NaN or ±Inf, and the checks on them — finite, not constant, and (decoded pixels) inside the
 * decoder's declared range before clamping.
 */

/** Figures of one stage output (min/max/mean over its finite values; null when there are none). */
export interface StageFigures {
  count: number;
  nonFinite: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Decoded pixels may overshoot the declared range by this fraction of its width (VAE decoders ring a little). */
export const RANGE_TOLERANCE = 0.1;
/** A spread below this (relative to the magnitude) counts as constant. */
const CONSTANT_SPREAD = 1e-6;

export function stageFigures(values: ArrayLike<number>): StageFigures {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const finite = values.length - nonFinite;
  return finite
    ? { count: values.length, nonFinite, min, max, mean: sum / finite }
    : { count: values.length, nonFinite, min: null, max: null, mean: null };
}

const fmt = (v: number | null) => (v === null ? 'none' : Number(v.toPrecision(4)).toString());

/** The first check the figures fail, as a sentence naming the check and the figures; undefined when all hold. */
export function stageProblem(f: StageFigures, range?: [number, number]): string | undefined {
  if (f.count === 0) return 'empty output (0 values)';
  if (f.nonFinite > 0) return `not finite: ${f.nonFinite} of ${f.count} values are NaN or ±Inf`;
  const min = f.min as number;
  const max = f.max as number;
  if (max - min <= CONSTANT_SPREAD * Math.max(1, Math.abs(max), Math.abs(min)))
    return `constant: all ${f.count} values are ${fmt(min)}`;
  if (range) {
    const [lo, hi] = range;
    const slack = RANGE_TOLERANCE * (hi - lo);
    if (min < lo - slack || max > hi + slack)
      return `out of range: values span [${fmt(min)}, ${fmt(max)}] but the decoder declares [${lo}, ${hi}] (±${fmt(slack)} allowed)`;
  }
  return undefined;
}
