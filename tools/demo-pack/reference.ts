/**
 * Pure-JS reference of the analytic demo pack: the exact frames any correct flow solver must
 * produce for a request (x0 of the prompt, with CFG: x0u + g·(x0c − x0u)), decoded like the
 * pack's VAE. Used by unit and e2e tests; float64 throughout.
 */
import { parseResolution } from '../../src/engine/pack/manifest';
import { encodePrompt, loadTokenizer } from '../../src/engine/text/tokenize';
import {
  BASE_FEATURES,
  demoVocabulary,
  EDGE_SHARPNESS,
  F,
  FEATURES,
  LATENT_CHANNELS,
  wordFeatures,
} from './analytic';
import { LUMA_MIX, SPATIAL_COMPRESSION } from './graphs';
import { tokenizerJson } from './tokenizer-json';

const MAX_LENGTH = 32;

/** Summed features of a prompt (base + every real token's embedding row). */
export function promptFeatures(prompt: string): number[] {
  const vocab = demoVocabulary();
  const tok = loadTokenizer(tokenizerJson(vocab), MAX_LENGTH);
  const enc = encodePrompt(tok, prompt, MAX_LENGTH, 0);
  const f = [...BASE_FEATURES];
  for (let i = 0; i < enc.length; i++) {
    const id = Number(enc.ids[i]);
    if (id < 2) continue;
    wordFeatures(vocab[id] as string).forEach((v, k) => (f[k] = (f[k] as number) + v));
  }
  return f;
}

/** x0 latent [C, T, h, w] (flattened) of a prompt. */
export function targetLatent(prompt: string, frames: number, lh: number, lw: number): Float64Array {
  const p = promptFeatures(prompt);
  const at = (i: number) => p[i] as number;
  const out = new Float64Array(LATENT_CHANNELS * frames * lh * lw);
  for (let t = 0; t < frames; t++) {
    const tau = t / Math.max(frames - 1, 1) - 0.5;
    const cx = at(F.cx) + at(F.vx) * tau;
    const cy = at(F.cy) + at(F.vy) * tau;
    for (let y = 0; y < lh; y++) {
      for (let x = 0; x < lw; x++) {
        const d2 = ((x + 0.5) / lw - cx) ** 2 + ((y + 0.5) / lh - cy) ** 2;
        const m = 1 / (1 + Math.exp(-EDGE_SHARPNESS * (at(F.radius) ** 2 - d2)));
        for (let c = 0; c < LATENT_CHANNELS; c++) {
          const bg = at(F.bg + c);
          out[((c * frames + t) * lh + y) * lw + x] = bg + m * (at(F.fg + c) - bg);
        }
      }
    }
  }
  return out;
}

export interface ReferenceRequest {
  prompt: string;
  negativePrompt: string;
  guidance: number;
  frames: number;
  resolution: string;
}

/** Expected RGBA frames (count × H × W × 4) for a request on the analytic pack. */
export function referenceFrames(r: ReferenceRequest): {
  width: number;
  height: number;
  rgba: Uint8Array;
  latent: Float64Array;
} {
  const res = parseResolution(r.resolution);
  if (!res) throw new Error(`bad resolution ${r.resolution}`);
  const s = SPATIAL_COMPRESSION;
  const lh = res.height / s;
  const lw = res.width / s;
  const cond = targetLatent(r.prompt, r.frames, lh, lw);
  const latent =
    r.guidance === 1
      ? cond
      : targetLatent(r.negativePrompt, r.frames, lh, lw).map(
          (u, i) => u + r.guidance * ((cond[i] as number) - u),
        );
  const plane = lh * lw;
  const rgba = new Uint8Array(r.frames * res.height * res.width * 4);
  for (let t = 0; t < r.frames; t++) {
    for (let y = 0; y < res.height; y++) {
      for (let x = 0; x < res.width; x++) {
        const li = Math.floor(y / s) * lw + Math.floor(x / s);
        const z = (c: number) => latent[(c * r.frames + t) * plane + li] as number;
        const o = ((t * res.height + y) * res.width + x) * 4;
        for (let c = 0; c < 3; c++) {
          const v = Math.min(1, Math.max(-1, z(c) + LUMA_MIX * z(3)));
          rgba[o + c] = Math.round(((v + 1) / 2) * 255);
        }
        rgba[o + 3] = 255;
      }
    }
  }
  return { width: res.width, height: res.height, rgba, latent };
}

export { FEATURES };
