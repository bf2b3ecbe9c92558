/**
 * `webgp dry-run` (the seeds' --dry-run): resolves a task against a pack's pack.json header —
 * defaults, overrides, validation, memory estimate and the exact noise schedule — without
 * loading a model or touching a GPU. With a full pack.json the memory estimate is the pack's
 * memory plan for the task: the sessions of each phase, the peak phase and the whole pack.
 */
import type { EnhancerCost } from '../engine/enhancer/enhancer-cost';
import { formatSize } from '../engine/format-size';
import { peakGpuBytes } from '../engine/pack/fit';
import { type AnyManifest, isMediaManifest } from '../engine/pack/any-manifest';
import type { PackManifest } from '../engine/pack/manifest';
import { memoryPlan, type Phase, taskTensors } from '../engine/pack/memory-plan';
import { type PackHeader, RUNNABLE_PIPELINES } from '../engine/pack/header';
import type { RegistryEntry } from '../engine/pack/registry';
import {
  defaultRequest,
  type FieldErrorMap,
  latentShape,
  type TaskRequest,
  validateRequest,
} from '../engine/request';
import { buildSchedule } from '../engine/schedule/schedules';

export interface DryRunReport {
  pack: {
    id: string;
    name: string;
    version: string;
    pipeline: string;
    runnable: boolean;
    source?: string;
    downloadUrl?: string;
    downloadFiles?: number;
    downloadBytes?: number;
  };
  task: TaskRequest;
  valid: boolean;
  errors: FieldErrorMap;
  memory: {
    latentShape: number[];
    latentBytes: number;
    denoiseStepBytes: number;
    /** The pack's phases for this task (full pack.json only): session bytes and the engine's tensors. */
    phases?: { phase: Phase; sessionBytes: number; tensorBytes: number }[];
    /** Every session at once, plus the largest phase's tensors. */
    packWholeBytes?: number;
    packPeakPhase?: Phase;
    /** The peak phase (+ the registry's estimated working memory), or the registry's figure without a full pack.json. */
    packPeakGpuBytes?: number;
    packPeakCpuBytes?: number;
  } | null;
  /** What enhancing the prompt adds (only when the task asks for it): packs, download, memory. */
  enhancer?: EnhancerCost;
  schedule: {
    solver: string;
    steps: number;
    shift: number;
    spacing: string;
    sigmas: number[];
    timesteps: number[];
  } | null;
}

/** Task fields the CLI can set; width/height become the resolution. */
export type TaskOverrides = Partial<Omit<TaskRequest, 'packId' | 'resolution'>> & {
  width?: number;
  height?: number;
};

/**
 * `manifest`: the pack's full pack.json when it is one (not a header that only describes the pack); a generation pack's gives the memory plan.
 * `enhancer`: the enhancer's cost (enhancer-cost.ts) when the task asks for enhancement.
 */
export function dryRun(
  header: PackHeader,
  entry: RegistryEntry | undefined,
  o: TaskOverrides,
  manifest?: AnyManifest,
  enhancer?: EnhancerCost,
): DryRunReport {
  const full = manifest !== undefined;
  const base = defaultRequest(header, o.prompt ?? 'dry run');
  const [dw, dh] = base.resolution.split('x');
  const resolution =
    o.width !== undefined || o.height !== undefined ? `${o.width ?? dw}x${o.height ?? dh}` : base.resolution;
  const fields: Partial<TaskRequest> = { ...o };
  delete (fields as TaskOverrides).width;
  delete (fields as TaskOverrides).height;
  const task: TaskRequest = { ...base, ...fields, resolution, packId: header.id };
  const errors = validateRequest(task, header);
  const valid = Object.keys(errors).length === 0;
  return {
    pack: {
      id: header.id,
      name: header.name,
      version: header.version,
      pipeline: header.pipeline,
      // A header-only pack.json describes a pack this version cannot run; a full one runs (remote ones after their download).
      runnable: (RUNNABLE_PIPELINES as readonly string[]).includes(header.pipeline) && full,
      ...(entry?.source
        ? { source: entry.source.repo, downloadUrl: entry.source.url, downloadFiles: entry.files.length }
        : {}),
      ...(entry?.bytes ? { downloadBytes: entry.bytes } : {}),
    },
    task,
    valid,
    errors,
    ...(enhancer ? { enhancer } : {}),
    memory:
      errors.resolution || errors.frames
        ? null
        : memoryEstimate(task, header, entry, manifest && !isMediaManifest(manifest) ? manifest : undefined),
    schedule:
      errors.steps || errors.shift
        ? null
        : {
            solver: task.solver,
            steps: task.steps,
            shift: task.shift,
            spacing: header.scheduler.spacing,
            ...buildSchedule(header.scheduler, task.steps, task.shift),
          },
  };
}

function memoryEstimate(
  task: TaskRequest,
  header: PackHeader,
  entry: RegistryEntry | undefined,
  manifest: PackManifest | undefined,
): NonNullable<DryRunReport['memory']> {
  const shape = latentShape(task, header);
  const latentBytes = shape.reduce((a, b) => a * b, 1) * 4;
  // A denoise step holds the latent, the conditional and (with CFG) unconditional velocity, and the next latent.
  const denoiseStepBytes = latentBytes * (task.guidance !== 1 ? 4 : 3);
  const req = entry?.requirements;
  const plan = manifest && memoryPlan(manifest, taskTensors(task, header));
  const phases =
    plan && !plan.unsized.length
      ? {
          phases: plan.phases.map((p) => ({
            phase: p.phase,
            sessionBytes: p.sessionBytes,
            tensorBytes: p.tensorBytes,
          })),
          packWholeBytes: plan.wholeBytes,
          packPeakPhase: plan.peakPhase,
        }
      : {};
  const gpu = req ? peakGpuBytes(req, plan) : plan && !plan.unsized.length ? plan.peakBytes : undefined;
  return {
    latentShape: shape,
    latentBytes,
    denoiseStepBytes,
    ...phases,
    ...(gpu !== undefined ? { packPeakGpuBytes: gpu } : {}),
    ...(req ? { packPeakCpuBytes: req.peakCpuBytes } : {}),
  };
}

const list = (xs: number[], digits: number) =>
  `[${xs.map((x) => (Number.isInteger(x) ? String(x) : x.toFixed(digits))).join(', ')}]`;

/** The human-readable report. */
export function formatReport(r: DryRunReport): string {
  const t = r.task;
  const lines = [
    `Pack       ${r.pack.id} ${r.pack.version} — ${r.pack.name} (${r.pack.pipeline}${r.pack.runnable ? '' : ', described only: its pack.json has no components this version can run, so it cannot be downloaded yet'})`,
    ...(r.pack.source
      ? [
          `Source     ${r.pack.source}${r.pack.runnable ? ` — downloadable from the Models page: ${r.pack.downloadFiles} files${r.pack.downloadBytes ? `, ${formatSize(r.pack.downloadBytes)}` : ''} from ${r.pack.downloadUrl}` : ''}`,
        ]
      : []),
    `Task       ${t.resolution}, ${t.frames} frame${t.frames === 1 ? '' : 's'}, ${t.steps} steps, solver ${t.solver}, shift ${t.shift}, guidance ${t.guidance}, seed ${t.seed}`,
    `Prompt     ${JSON.stringify(t.prompt)}${t.negativePrompt ? ` (negative: ${JSON.stringify(t.negativePrompt)})` : ''}`,
  ];
  if (r.valid) lines.push('Valid      yes');
  else lines.push('Valid      no', ...Object.entries(r.errors).map(([k, v]) => `  ${k}: ${v}`));
  if (r.memory) {
    const m = r.memory;
    lines.push(
      `Memory     latent [${m.latentShape.join(', ')}] = ${formatSize(m.latentBytes)}; a denoise step holds ${formatSize(m.denoiseStepBytes)} of latents${m.packPeakGpuBytes ? `; pack peak ≈ ${formatSize(m.packPeakGpuBytes)} GPU${m.packPeakCpuBytes ? `, ${formatSize(m.packPeakCpuBytes)} CPU` : ''}` : ''}`,
    );
    if (m.phases && m.packPeakPhase && m.packWholeBytes) {
      lines.push(
        `  phases     ${m.phases.map((p) => `${p.phase} ${formatSize(p.sessionBytes + p.tensorBytes)}`).join(' → ')}`,
      );
      lines.push(
        `  peak       ${m.packPeakPhase}, its sessions run one phase at a time (when the whole pack is over the GPU memory budget); all sessions resident: ${formatSize(m.packWholeBytes)}`,
      );
    }
  }
  if (r.enhancer) lines.push(...enhancerLines(r.enhancer, r.memory?.packPeakGpuBytes));
  if (r.schedule) {
    lines.push(
      `Schedule   ${r.schedule.spacing}`,
      `  sigmas     ${list(r.schedule.sigmas, 4)}`,
      `  timesteps  ${list(r.schedule.timesteps, 4)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The Enhancer lines: each pack's download and peak, and the enhancer's peak beside the pack's. */
function enhancerLines(e: EnhancerCost, packPeak: number | undefined): string[] {
  const size = (n: number, approx: boolean, unknown: number) =>
    `${approx ? '≈ ' : ''}${formatSize(n)}${unknown ? ` + ${unknown} file${unknown === 1 ? '' : 's'} of unknown size` : ''}`;
  return [
    `Enhancer   ${e.mode}: download ${e.packs.some((p) => p.bytesApprox) ? '≈ ' : ''}${formatSize(e.downloadBytes)}, peak ≈ ${formatSize(e.peakGpuBytes)} GPU, ${formatSize(e.peakCpuBytes)} CPU${packPeak ? `; with the pack's peak ≈ ${formatSize(e.peakGpuBytes + packPeak)} GPU if both stay loaded (the enhancer is released before generation)` : ''}`,
    ...e.packs.map(
      (p) =>
        `  ${p.role.padEnd(10)} ${p.id}: ${size(p.downloadBytes, p.bytesApprox, p.unknownSizes)}${p.peakGpuBytes ? `, peak ≈ ${formatSize(p.peakGpuBytes)} GPU` : ''}`,
    ),
    ...e.unknown.map((id) => `  unknown    ${id}: not in the registry, not counted`),
  ];
}
