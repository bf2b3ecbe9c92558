/**
 * Fixed dims become limits: a dimension a graph fixes (a number, not a symbol) on a tensor that
 * maps to a request field restricts that field — the latent T axis to frames = tc·(T−1)+1, the
 * latent h/w axes to resolutions (× spatialCompression); a fixed batch must be 1, a fixed
 * channel count latent.channels, a fixed text length tokenizer.maxLength (with max-length
 * padding), a fixed video-pack frame size the manifest's. Those are contract errors; the derived
 * limits tighten the pack's `limits` (stored with the installed pack, see `tightenLimits`).
 */
import type { AnyManifest } from './any-manifest';
import type { RoleTensor } from './graph-contract';
import { parseResolution } from './header';
import type { PackManifest } from './manifest';
import type { MattingManifest, SegmentManifest } from './media-manifest';

/** Limits read from the graphs, each with the reason the messages give. */
export interface DerivedLimits {
  frames?: { counts: number[]; reason: string };
  resolutions?: { list: string[]; reason: string };
}

export interface LimitsResult {
  problems: string[];
  limits: DerivedLimits;
}

/** Axis positions of a latent tensor by layout. */
const AXES: Record<string, { b: number; c: number; t?: number; h: number; w: number }> = {
  NCTHW: { b: 0, c: 1, t: 2, h: 3, w: 4 },
  NTCHW: { b: 0, t: 1, c: 2, h: 3, w: 4 },
  NCHW: { b: 0, c: 1, h: 2, w: 3 },
};

const LABELS: Record<string, string> = {
  vaeDecoder: 'VAE decoder',
  transformer: 'transformer',
  schedulerStep: 'scheduler step graph',
  vaePreProcess: 'VAE pre-process graph',
};
/** "its VAE decoder (onnx/vae.onnx)": how a limit's reason names the graph. */
const its = (t: RoleTensor) => `its ${LABELS[t.component] ?? t.component} (${t.file})`;

/** "21 latent frames", "1 latent frame". */
const latentFrames = (T: number) => `${T} latent frame${T === 1 ? '' : 's'}`;

const fixed = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;
const at = (t: RoleTensor) => `${t.file} input "${t.tensor.name}"`;

/** The layout a generation role's latent tensor has, or undefined when the role is not a latent. */
function latentLayout(m: PackManifest, t: RoleTensor): string | undefined {
  const { transformer, vaeDecoder } = m.components;
  if (t.role !== 'latents') return undefined;
  if (t.component === 'vaeDecoder') return vaeDecoder.inputLayout;
  if (['transformer', 'schedulerStep', 'vaePreProcess'].includes(t.component))
    return transformer.latentLayout;
  return undefined;
}

function generationLimits(m: PackManifest, tensors: RoleTensor[]): LimitsResult {
  const problems: string[] = [];
  const { temporalCompression: tc, spatialCompression: sc, channels } = m.latent;
  let frames: DerivedLimits['frames'];
  let resolutions = m.limits.resolutions;
  let resReason: string | undefined;
  for (const t of tensors) {
    const dims = t.tensor.dims;
    const layout = latentLayout(m, t);
    const ax = layout ? AXES[layout] : undefined;
    if (ax && dims.length === (ax.t === undefined ? 4 : 5)) {
      if (fixed(dims[ax.b]) && dims[ax.b] !== 1)
        problems.push(
          `${at(t)} fixes batch ${dims[ax.b]}; WebGP runs batch 1. Re-export the graph with batch 1 or a symbolic batch`,
        );
      if (fixed(dims[ax.c]) && dims[ax.c] !== channels)
        problems.push(
          `${at(t)}: pack.json says latent.channels ${channels}, the graph fixes ${dims[ax.c]} channels`,
        );
      const T = ax.t === undefined ? undefined : dims[ax.t];
      if (fixed(T)) {
        const count = tc * (T - 1) + 1;
        const counts = (frames?.counts ?? m.limits.frames ?? [count]).filter((n) => n === count);
        if (!counts.length)
          problems.push(
            `${at(t)} is exported for ${latentFrames(T)} (${count} frames), ${frames ? `but ${frames.reason}` : `which limits.frames (${m.limits.frames?.join(', ')}) rules out`}`,
          );
        else if (count > m.limits.maxFrames)
          problems.push(
            `${at(t)} is exported for ${latentFrames(T)} (${count} frames), above limits.maxFrames (${m.limits.maxFrames})`,
          );
        else frames = { counts, reason: `${its(t)} is exported for ${latentFrames(T)}` };
      }
      const [h, w] = [dims[ax.h], dims[ax.w]];
      if (fixed(h) || fixed(w)) {
        const fits = resolutions.filter((r) => {
          const s = parseResolution(r);
          return s && (!fixed(h) || s.height === h * sc) && (!fixed(w) || s.width === w * sc);
        });
        const size = `${fixed(w) ? w * sc : 'any'}×${fixed(h) ? h * sc : 'any'} px`;
        if (!fits.length)
          problems.push(
            `${at(t)} is exported for ${size} (latent ${fixed(w) ? w : '?'}×${fixed(h) ? h : '?'}), which no resolution in limits.resolutions (${m.limits.resolutions.join(', ')}) has`,
          );
        else if (fits.length < resolutions.length) {
          resolutions = fits;
          resReason = `${its(t)} is exported for ${size}`;
        }
      }
    }
    if (t.component === 'textEncoder' && ['inputIds', 'attentionMask', 'inputsEmbeds'].includes(t.role)) {
      const s = t.role === 'attentionMask' ? dims[dims.length - 1] : dims[1];
      if (fixed(s) && m.tokenizer.padding !== 'max-length')
        problems.push(
          `${at(t)} fixes the text length at ${s}, but tokenizer.padding "none" feeds only the prompt's tokens. Set padding "max-length" and maxLength ${s}`,
        );
      else if (fixed(s) && s !== m.tokenizer.maxLength)
        problems.push(
          `${at(t)}: pack.json pads text to tokenizer.maxLength ${m.tokenizer.maxLength}, the graph fixes the text length at ${s}`,
        );
    }
  }
  return {
    problems,
    limits: {
      ...(frames ? { frames } : {}),
      ...(resReason ? { resolutions: { list: resolutions, reason: resReason } } : {}),
    },
  };
}

/** Video packs: a fixed frame size on the image inputs must be the manifest's. */
function mediaLimits(m: SegmentManifest | MattingManifest, tensors: RoleTensor[]): LimitsResult {
  const problems: string[] = [];
  const [want, field] =
    m.pipeline === 'segment-points'
      ? [[m.segment.inputSize, m.segment.inputSize], 'segment.inputSize']
      : [[m.matting.height, m.matting.width], 'matting.height/width'];
  for (const t of tensors) {
    if (!['image', 'mask', 'lastMask', 'lastPredMask'].includes(t.role) || t.tensor.dims.length !== 4)
      continue;
    const [h, w] = [t.tensor.dims[2], t.tensor.dims[3]];
    if ((fixed(h) && h !== want[0]) || (fixed(w) && w !== want[1]))
      problems.push(`${at(t)}: pack.json says ${field} ${want[1]}×${want[0]}, the graph fixes ${w}×${h}`);
  }
  return { problems, limits: {} };
}

/** Contract errors and limits from the fixed dims of the tensors each role landed on. */
export function graphLimits(m: AnyManifest, tensors: RoleTensor[]): LimitsResult {
  return m.pipeline === 'segment-points' || m.pipeline === 'matting-memory'
    ? mediaLimits(m as SegmentManifest | MattingManifest, tensors)
    : generationLimits(m as PackManifest, tensors);
}

/**
 * pack.json content with `limits` tightened by the derived ones (and the defaults moved inside
 * them), so the stored pack.json of an installed pack carries them; unchanged when there are none.
 */
export function tightenLimits<T extends Record<string, unknown>>(raw: T, derived: DerivedLimits): T {
  if (!derived.frames && !derived.resolutions) return raw;
  const limits = { ...(raw.limits as Record<string, unknown>) };
  const defaults = { ...(raw.defaults as Record<string, unknown>) };
  const reasons = { ...(limits.reasons as Record<string, string> | undefined) };
  if (derived.frames) {
    limits.frames = derived.frames.counts;
    limits.maxFrames = Math.max(...derived.frames.counts);
    reasons.frames = derived.frames.reason;
    if (!derived.frames.counts.includes(defaults.frames as number))
      defaults.frames = derived.frames.counts[0];
  }
  if (derived.resolutions) {
    limits.resolutions = derived.resolutions.list;
    reasons.resolution = derived.resolutions.reason;
    if (!derived.resolutions.list.includes(defaults.resolution as string))
      defaults.resolution = derived.resolutions.list[0];
  }
  return { ...raw, limits: { ...limits, reasons }, defaults };
}
