/**
 * Data-driven noise schedules: a pack's manifest names a sigma spacing and how the model's timestep
 * input is derived from it, and `buildSchedule` turns that into N + 1 sigmas (last 0) and N model
 * timesteps. Each spacing reproduces one reference implementation (REAL_PACKS.md §1, §2a, §3a).
 * Arithmetic is float64; the pipelines feed the model float32 or int64 from these.
 */
import { EngineError } from '../errors';
import { shiftSigma } from './flow-sigmas';

/** How the sigmas are spaced; each one names the reference it reproduces. */
export type SigmaSpacing =
  /** σ = linspace(1, 0, N + 1), shifted (WebGP/Wan Euler; identical to flow-sigmas.ts flowSigmas). */
  | 'flow-linspace'
  /** diffusers FlowMatchEulerDiscreteScheduler with a static shift (Z-Image): t = linspace(T·σ(1), T·σ(1/T), N). */
  | 'flow-diffusers-euler'
  /** σ = linspace(1, 1/T, N + 1)[:-1], shifted, then 0 (FastWan's UniPC flow sigmas, as published). */
  | 'flow-unipc'
  /** DDPM eps model: scaled_linear betas 0.00085..0.012, 'trailing' timesteps, σ = √((1 − ᾱ)/ᾱ) (SD-Turbo). */
  | 'eps-trailing';

/** Every spacing `buildSchedule` knows, for manifest validation. */
export const SIGMA_SPACINGS: readonly SigmaSpacing[] = [
  'flow-linspace',
  'flow-diffusers-euler',
  'flow-unipc',
  'eps-trailing',
];

/**
 * What the model is fed as its timestep: `from` picks σ, 1 − σ or the training-step index (the
 * eps-trailing index t; σ·trainSteps for flow spacings, as diffusers' `timesteps`), times `scale`,
 * then rounded (Math.round) if `round`; `forceLast` overrides the final step's value.
 */
export interface TimestepMap {
  from: 'sigma' | 'one-minus-sigma' | 'train-index';
  scale: number;
  round?: boolean;
  forceLast?: number;
}

const TIMESTEP_SOURCES: readonly TimestepMap['from'][] = ['sigma', 'one-minus-sigma', 'train-index'];

/** A schedule as a manifest declares it; steps and shift come from the request. */
export interface ScheduleSpec {
  spacing: SigmaSpacing;
  trainSteps: number;
  timestep: TimestepMap;
}

/** Evaluated schedule: N + 1 sigmas ending in 0 and the N timesteps the model sees. */
export interface Schedule {
  sigmas: number[];
  timesteps: number[];
}

/** numpy.linspace(start, stop, num): start + i·step, with the last value exactly `stop`. */
function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : start + i * step));
}

/** numpy.round: half to even (the trailing spacing rounds e.g. 812.5 to 812, not 813). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ᾱ_t for the scaled_linear DDPM betas (sqrt-linspace squared), t = 0 … T − 1. */
function alphasCumprod(trainSteps: number): number[] {
  const roots = linspace(Math.sqrt(0.00085), Math.sqrt(0.012), trainSteps);
  let acc = 1;
  return roots.map((r) => (acc *= 1 - r * r));
}

/** Sigmas (N + 1, last 0) and the per-step training index for one spacing. */
function spacingSigmas(
  spacing: SigmaSpacing,
  steps: number,
  shift: number,
  trainSteps: number,
): { sigmas: number[]; index: number[] } {
  const T = trainSteps;
  switch (spacing) {
    case 'flow-linspace': {
      const sigmas = Array.from({ length: steps + 1 }, (_, i) => shiftSigma(1 - i / steps, shift));
      return { sigmas, index: sigmas.slice(0, -1).map((s) => s * T) };
    }
    case 'flow-diffusers-euler': {
      const t = linspace(T * shiftSigma(1, shift), T * shiftSigma(1 / T, shift), steps);
      const sigmas = t.map((ti) => shiftSigma(ti / T, shift));
      return { sigmas: [...sigmas, 0], index: sigmas.map((s) => s * T) };
    }
    case 'flow-unipc': {
      const sigmas = linspace(1, 1 / T, steps + 1)
        .slice(0, -1)
        .map((s) => shiftSigma(s, shift));
      return { sigmas: [...sigmas, 0], index: sigmas.map((s) => s * T) };
    }
    case 'eps-trailing': {
      const ac = alphasCumprod(T);
      const index = Array.from({ length: steps }, (_, i) => roundHalfEven(T - i * (T / steps)) - 1);
      const sigmas = index.map((t) => {
        const a = ac[t] as number;
        return Math.sqrt((1 - a) / a);
      });
      return { sigmas: [...sigmas, 0], index };
    }
    default:
      throw new EngineError(
        'invalid-manifest',
        `Unknown sigma spacing '${String(spacing)}'. Should be one of: ${SIGMA_SPACINGS.join(', ')}.`,
      );
  }
}

/** Evaluates a schedule spec for `steps` denoising steps; `shift` applies to the flow spacings only. */
export function buildSchedule(spec: ScheduleSpec, steps: number, shift: number): Schedule {
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
  if (!(shift > 0)) throw new RangeError(`shift must be positive, got ${shift}`);
  if (!Number.isInteger(spec.trainSteps) || spec.trainSteps < 2) {
    throw new RangeError(`trainSteps must be an integer of at least 2, got ${spec.trainSteps}`);
  }
  if (spec.spacing === 'eps-trailing' && steps > spec.trainSteps) {
    throw new RangeError(`steps (${steps}) cannot exceed trainSteps (${spec.trainSteps}) for 'eps-trailing'`);
  }
  const { sigmas, index } = spacingSigmas(spec.spacing, steps, shift, spec.trainSteps);
  const map = spec.timestep;
  if (!TIMESTEP_SOURCES.includes(map.from)) {
    throw new EngineError(
      'invalid-manifest',
      `Unknown timestep source '${String(map.from)}'. Should be one of: ${TIMESTEP_SOURCES.join(', ')}.`,
    );
  }
  const timesteps = sigmas.slice(0, -1).map((sigma, i) => {
    const base =
      map.from === 'sigma' ? sigma : map.from === 'one-minus-sigma' ? 1 - sigma : (index[i] as number);
    const value = base * map.scale;
    return map.round ? Math.round(value) : value;
  });
  if (map.forceLast !== undefined) timesteps[steps - 1] = map.forceLast;
  return { sigmas, timesteps };
}
