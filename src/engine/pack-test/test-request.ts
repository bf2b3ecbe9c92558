/**
 * The smallest valid request for "Test this pack": the pack's smallest resolution, the fewest
 * frames and steps its validation accepts (1 and 1 unless the pack's limits say otherwise), no
 * CFG, a fixed seed and a short prompt; image-to-video packs get a generated start image (a
 * colour gradient PNG) at that resolution.
 */
import { zlibSync } from 'fflate';
import { pngDataUrl } from '../media/png-decode';
import { pngImage } from '../media/png-chunks';
import { type PackHeader, parseResolution } from '../pack/header';
import { type TaskRequest, validateRequest } from '../request';

export const TEST_PROMPT = 'a red ball on a green lawn';
export const TEST_SEED = 42;

/** Resolutions, fewest pixels first. */
function bySize(resolutions: string[]): string[] {
  const pixels = (r: string) => {
    const s = parseResolution(r);
    return s ? s.width * s.height : Infinity;
  };
  return [...resolutions].sort((a, b) => pixels(a) - pixels(b));
}

/** `1, 1 + step, 1 + 2·step, …` up to `max`. */
function counts(max: number, step: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= max; n += Math.max(1, step)) out.push(n);
  return out;
}

/** The first candidate for field `key` that validation accepts (else the first candidate: the run then fails with the message). */
function firstValid<K extends 'resolution' | 'frames' | 'steps'>(
  r: TaskRequest,
  m: PackHeader,
  key: K,
  candidates: TaskRequest[K][],
): TaskRequest {
  const ok = candidates.find((c) => !validateRequest({ ...r, [key]: c }, m)[key]);
  return { ...r, [key]: ok ?? candidates[0] };
}

/** A `width`×`height` RGB gradient as a PNG data URL (pure bytes: works in a worker and in Node). */
export function gradientPngDataUrl(width: number, height: number): string {
  const raw = new Uint8Array(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw.set(
        [
          Math.round((255 * x) / Math.max(1, width - 1)),
          Math.round((255 * y) / Math.max(1, height - 1)),
          128,
        ],
        o,
      );
    }
  }
  return pngDataUrl(pngImage(width, height, 2, zlibSync(raw)));
}

/** The smallest valid request for pack `m` (see the module comment). */
export function smallestRequest(m: PackHeader): TaskRequest {
  let r: TaskRequest = {
    packId: m.id,
    prompt: TEST_PROMPT,
    negativePrompt: '',
    seed: TEST_SEED,
    steps: 1,
    frames: 1,
    resolution: m.defaults.resolution,
    solver: m.scheduler.spacing === 'eps-trailing' ? 'euler' : m.defaults.solver,
    shift: m.defaults.shift,
    guidance: 1,
  };
  r = firstValid(r, m, 'resolution', bySize(m.limits.resolutions));
  r = firstValid(r, m, 'frames', counts(m.limits.maxFrames, m.latent.temporalCompression));
  r = firstValid(r, m, 'steps', counts(m.limits.maxSteps, 1));
  const size = parseResolution(r.resolution) ?? { width: 1, height: 1 };
  return m.pipeline === 'i2v-flow-dit'
    ? { ...r, startImage: gradientPngDataUrl(size.width, size.height) }
    : r;
}
