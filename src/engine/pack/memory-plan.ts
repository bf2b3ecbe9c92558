/**
 * Which component sessions a run needs together, phase by phase (text encoding → start-image
 * encoding → denoise → decode), and what that costs: the bytes of each phase's sessions (a
 * component's graph files and external data, as pack.json lists them; a block-streamed chain
 * counts only its `resident` window) plus the tensors the engine holds in that phase. The
 * sequential peak is the largest phase; the whole pack is every session at once. Pure: used by
 * the engine (residency), the Models page verdict and `webgp dry-run`.
 */
import { type ComponentSpec, componentGraphs, type GraphSpec } from './components';
import { latentShape, type TaskRequest } from '../request';
import { type PackHeader, parseResolution } from './header';
import { type PackManifest, presentComponents } from './manifest';

type ComponentName = keyof PackManifest['components'];

export const PHASES = ['encode-text', 'encode-image', 'denoise', 'decode'] as const;
export type Phase = (typeof PHASES)[number];

/** The components each phase runs (the engine's own tiny step/scale/blend graphs stay resident and are not counted). */
export const PHASE_COMPONENTS: Record<Phase, readonly ComponentName[]> = {
  'encode-text': ['textEncoder', 'textEncoder2'],
  'encode-image': ['vaeEncoder'],
  denoise: ['transformer', 'schedulerStep'],
  decode: ['vaePreProcess', 'vaeDecoder'],
};

export interface PhaseMemory {
  phase: Phase;
  components: { name: ComponentName; bytes: number }[];
  sessionBytes: number;
  /** Tensors the engine holds between graphs in this phase (0 without a request). */
  tensorBytes: number;
  totalBytes: number;
}

export interface MemoryPlan {
  phases: PhaseMemory[];
  /** Every session resident at once, plus the largest phase's tensors (today's all-resident mode). */
  wholeBytes: number;
  /** The largest phase: what sequential residency needs. */
  peakBytes: number;
  peakPhase: Phase;
  /** Graph files without a size in pack.json: the figures are lower bounds while this is not empty. */
  unsized: string[];
}

/** What the engine holds between graphs for one request (float32 everywhere; see generate.ts). */
export interface TaskTensors {
  latentBytes: number;
  cfg: boolean;
  /** Decoded frames: frames × 3 × H × W. */
  pixels: number;
}

/** A graph's file plus its external data, as pack.json lists them (unsized files count 0). */
export const graphBytes = (g: GraphSpec) =>
  (g.bytes ?? 0) + g.externalData.reduce((n, x) => n + (x.bytes ?? 0), 0);

/** Bytes of a component's resident sessions: every graph, or the `resident` largest stages of a streamed chain. */
export function residentBytes(spec: ComponentSpec): number {
  const sizes = componentGraphs(spec).map(graphBytes);
  if (!spec.stages || spec.resident === undefined || spec.resident >= sizes.length)
    return sizes.reduce((a, b) => a + b, 0);
  return sizes
    .sort((a, b) => b - a)
    .slice(0, spec.resident)
    .reduce((a, b) => a + b, 0);
}

function unsizedFiles(spec: ComponentSpec): string[] {
  return componentGraphs(spec).flatMap((g) => [
    ...(g.bytes === undefined ? [g.file] : []),
    ...g.externalData.filter((x) => x.bytes === undefined).map((x) => x.file),
  ]);
}

function phaseTensors(phase: Phase, t: TaskTensors | undefined): number {
  if (!t) return 0;
  switch (phase) {
    case 'encode-text':
      return 0;
    case 'encode-image':
      return t.pixels * 4 + t.latentBytes;
    case 'denoise':
      // The latent, the conditional and (with CFG) unconditional prediction, and the next latent.
      return t.latentBytes * (t.cfg ? 4 : 3);
    case 'decode':
      // The latent, the decoder's float output, and the RGBA frames read back from it.
      return t.latentBytes + t.pixels * 4 + (t.pixels / 3) * 4;
  }
}

/** The memory plan of a pack (and, with `tensors`, of one request on it). */
export function memoryPlan(m: Pick<PackManifest, 'components'>, tensors?: TaskTensors): MemoryPlan {
  const present = new Map(presentComponents(m as PackManifest));
  const phases = PHASES.map((phase): PhaseMemory => {
    const components = PHASE_COMPONENTS[phase].flatMap((name) => {
      const spec = present.get(name);
      return spec ? [{ name, bytes: residentBytes(spec) }] : [];
    });
    const sessionBytes = components.reduce((n, c) => n + c.bytes, 0);
    const tensorBytes = components.length ? phaseTensors(phase, tensors) : 0;
    return { phase, components, sessionBytes, tensorBytes, totalBytes: sessionBytes + tensorBytes };
  }).filter((p) => p.components.length > 0);
  const peak = phases.reduce((a, b) => (b.totalBytes > a.totalBytes ? b : a));
  const all = phases.reduce((n, p) => n + p.sessionBytes, 0);
  return {
    phases,
    wholeBytes: all + Math.max(...phases.map((p) => p.tensorBytes)),
    peakBytes: peak.totalBytes,
    peakPhase: peak.phase,
    unsized: [...present.values()].flatMap(unsizedFiles),
  };
}

export type Residency = 'resident' | 'sequential';

/** All sessions stay resident (and cached between runs) when the whole pack fits the budget; otherwise one phase at a time. */
export function chooseResidency(plan: MemoryPlan, budgetBytes: number): Residency {
  return plan.wholeBytes <= budgetBytes ? 'resident' : 'sequential';
}

/** The tensors of request `r` (its latent shape, CFG and decoded pixels). */
export function taskTensors(r: TaskRequest, header: PackHeader): TaskTensors {
  const latentBytes = latentShape(r, header).reduce((a, b) => a * b, 1) * 4;
  const { width, height } = parseResolution(r.resolution) ?? { width: 0, height: 0 };
  return {
    latentBytes,
    cfg: r.guidance !== 1 || (r.guidance2 !== undefined && r.guidance2 !== 1),
    pixels: r.frames * 3 * width * height,
  };
}
