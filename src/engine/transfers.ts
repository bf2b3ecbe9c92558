/**
 * The transfer count: wraps an OrtModule so that every host→device upload (a CPU tensor fed to a
 * WebGPU session) and every device→host readback (a WebGPU output left on the CPU, or `getData()`
 * of an output kept in a GPU buffer) is counted in calls and bytes, per stage and per denoise
 * step. SwiftShader has no real GPU, so these counts, not timings, are what CI can assert about
 * GPU residency. wasm sessions move nothing between host and device and are not counted.
 */
import type { OrtModule, OrtSession, OrtTensor } from './runtime';

/** Calls and bytes one way or the other. */
export interface TransferCounts {
  uploads: number;
  uploadBytes: number;
  readbacks: number;
  readbackBytes: number;
  /** Uploads of a CPU tensor already uploaded earlier in the run: a constant sent again. */
  reuploads: number;
}

/** What a run moved: totals, per stage ('encode-text', 'denoise', 'decode' …) and per denoise step. */
export interface TransferReport extends TransferCounts {
  stages: Record<string, TransferCounts>;
  /** One entry per denoise step run (steps resumed past are absent). */
  steps: TransferCounts[];
}

export interface TransferMeter {
  /** The wrapped module: sessions created through it are counted. */
  readonly ort: OrtModule;
  /** Starts a new count (a run). */
  reset(): void;
  /** Attributes what follows to `stage`, and to denoise step `step` when given. */
  at(stage: string, step?: number): void;
  report(): TransferReport;
}

const BYTES: Record<string, number> = {
  float32: 4,
  float16: 2,
  int64: 8,
  uint64: 8,
  int32: 4,
  uint32: 4,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  float64: 8,
};

/** Bytes of a tensor's data, wherever it lives. */
export function tensorBytes(t: OrtTensor): number {
  return t.size * (BYTES[t.type] ?? 4);
}

export const zeroCounts = (): TransferCounts => ({
  uploads: 0,
  uploadBytes: 0,
  readbacks: 0,
  readbackBytes: 0,
  reuploads: 0,
});

function add(into: TransferCounts, way: 'up' | 'again' | 'down', bytes: number): void {
  if (way === 'again') into.reuploads++;
  if (way !== 'down') {
    into.uploads++;
    into.uploadBytes += bytes;
  } else {
    into.readbacks++;
    into.readbackBytes += bytes;
  }
}

type CreateOptions = Parameters<OrtModule['InferenceSession']['create']>[1];

function onWebGpu(options: CreateOptions): boolean {
  return (options?.executionProviders ?? []).some(
    (ep) => (typeof ep === 'string' ? ep : ep.name) === 'webgpu',
  );
}

export function meterTransfers(ort: OrtModule): TransferMeter {
  let total = zeroCounts();
  let stages: Record<string, TransferCounts> = {};
  let steps: TransferCounts[] = [];
  let stage = 'other';
  let step: number | undefined;
  let sent = new WeakSet<OrtTensor>();
  const count = (way: 'up' | 'again' | 'down', bytes: number) => {
    add(total, way, bytes);
    add((stages[stage] ??= zeroCounts()), way, bytes);
    if (step !== undefined) add((steps[step] ??= zeroCounts()), way, bytes);
  };
  /** A GPU-buffer output counts a readback each time its data is downloaded. */
  const watch = (t: OrtTensor) => {
    const getData = t.getData.bind(t);
    t.getData = async (release?: boolean) => {
      count('down', tensorBytes(t));
      return getData(release);
    };
  };
  const wrapRun = (session: OrtSession) => {
    const run = session.run.bind(session) as (
      feeds: Record<string, OrtTensor>,
      ...rest: unknown[]
    ) => Promise<Record<string, OrtTensor>>;
    (session as { run: unknown }).run = async (feeds: Record<string, OrtTensor>, ...rest: unknown[]) => {
      for (const t of Object.values(feeds)) {
        if (t.location !== 'cpu') continue;
        count(sent.has(t) ? 'again' : 'up', tensorBytes(t));
        sent.add(t);
      }
      const out = await run(feeds, ...rest);
      for (const t of Object.values(out)) {
        if (t.location === 'gpu-buffer') watch(t);
        else count('down', tensorBytes(t));
      }
      return out;
    };
  };
  const wrapped: OrtModule = {
    Tensor: ort.Tensor,
    InferenceSession: {
      async create(model, options) {
        const session = await ort.InferenceSession.create(model, options);
        if (onWebGpu(options)) wrapRun(session);
        return session;
      },
    },
  };
  return {
    ort: wrapped,
    reset() {
      total = zeroCounts();
      sent = new WeakSet();
      stages = {};
      steps = [];
      stage = 'other';
      step = undefined;
    },
    at(s, i) {
      stage = s;
      step = i;
      if (i !== undefined) steps[i] ??= zeroCounts(); // a step that moves nothing is still a step
    },
    report: () => ({
      ...total,
      stages: structuredClone(stages),
      steps: Array.from(
        steps.filter((x) => x !== undefined),
        (x) => ({ ...x }),
      ),
    }),
  };
}

/** The largest count of each kind over the denoise steps (what "per step" means in the bench and tests). */
export function maxPerStep(r: TransferReport): TransferCounts {
  const out = zeroCounts();
  for (const s of r.steps)
    for (const k of Object.keys(out) as (keyof TransferCounts)[]) out[k] = Math.max(out[k], s[k]);
  return out;
}
