/**
 * The engine object: one interface used in-thread (tests) and behind the engine worker.
 * It caches loaded packs per (pack, backend, residency), serialises ORT work, and turns cancel(jobId),
 * pause(jobId) and resume(jobId) into flags and gates the denoise loop checks between steps.
 * A pack that does not fit the GPU memory budget whole runs with sequential residency
 * (pack/memory-plan.ts, pack/residency.ts).
 */
import { type BackendPreference, type Capabilities, chooseBackend } from './capabilities';
import { EngineError } from './errors';
import { needsShaderF16 } from './pack/components';
import { type LoadedPack, loadPack, readManifest } from './pack/load-pack';
import { gpuBudget } from './pack/memory-budget';
import { chooseResidency, memoryPlan, type Residency, taskTensors } from './pack/memory-plan';
import { engineBenches } from './bench/engine-benches';
import { createMattingEngine } from './matting/matting-engine';
import type { PackManifest } from './pack/manifest';
import type { PackSource } from './pack/pack-source';
import { generate, type GenerateResult, type LatentCheckpoint } from './pipeline/generate';
import type { ProgressCallback } from './progress';
import { createLoraRunners } from './lora/lora-runners';
import { type PackTestReport, runPackTest } from './pack-test/run-pack-test';
import { runVideoPackTest, type VideoPackApi } from './pack-test/run-video-pack-test';
import { MEDIA_PIPELINES, parseJsonText } from './pack/header';
import { smallestRequest } from './pack-test/test-request';
import { PauseGate } from './pause-gate';
import { assertValidRequest, type LoraRef, type TaskRequest } from './request';
import { guardNativeBuild } from './native-build-guard';
import { DEFAULT_ORT_BUILD, ORT_BUILD_GUARDED, type OrtBuild } from './ort-build';
import type { Backend, OrtModule } from './runtime';
import { serialQueue } from './serial';
import { memoIn, memoise } from './memo';
import { meterTransfers, type TransferReport } from './transfers';

export interface EngineDeps {
  ort: OrtModule;
  /** Which onnxruntime-web build `ort` is (engine/ort-build.ts), recorded with each run; default: 'default'. */
  ortBuild?: OrtBuild;
  /** Resolves a pack id to where its files are. */
  sourceFor(packId: string): Promise<PackSource>;
  /** What this thread can do: src/browser/probe-capabilities.ts in the worker, fixed values in Node tests. */
  probe: () => Promise<Capabilities>;
  /** The bytes of a stored LoRA (rejects with EngineError('missing-lora') when it is gone). */
  readLora?: (ref: LoraRef) => Promise<Uint8Array>;
  /**
   * Why the WebGPU device behind `backend` was lost, or undefined while it is fine (the worker
   * reads ORT's GPUDevice `lost` promise). Asked when a run fails: loss is told by the device,
   * never by an error's wording.
   */
  deviceLost?: (backend: Backend) => Promise<string | undefined>;
  /** Merged LoRA transformer sessions kept at once (default 2). */
  loraSessions?: number;
  /** The user's "GPU memory budget" setting in GiB; null or undefined: the default (pack/memory-budget.ts). */
  gpuBudgetGiB?: () => Promise<number | null | undefined>;
  /** navigator.deviceMemory, for the default budget. */
  deviceMemoryGiB?: number;
}

export interface GenerateOutcome extends GenerateResult {
  manifest: PackManifest;
  backendReason: string;
  /** Whether the pack's sessions stayed resident or ran one phase at a time (over the GPU memory budget). */
  residency: Residency;
  /** Host↔device transfers of this run, per stage and denoise step (WebGPU; empty on wasm). */
  transfers: TransferReport;
  /** The onnxruntime-web build the run ran on. */
  ortBuild: OrtBuild;
}

export interface GenerateJobOptions {
  backend?: BackendPreference;
  onProgress?: ProgressCallback;
  onCheckpoint?: (cp: LatentCheckpoint) => Promise<void> | void;
  resumeFrom?: LatentCheckpoint;
  previews?: boolean;
}

type MediaPipeline = (typeof MEDIA_PIPELINES)[number];
const decoder = new TextDecoder();

export function createEngine(deps: EngineDeps) {
  // Every session the engine creates is counted (transfers.ts); generate() marks stages and steps.
  // The native build's sessions follow its two rules (native-build-guard.ts).
  const guarded = ORT_BUILD_GUARDED[deps.ortBuild ?? DEFAULT_ORT_BUILD];
  const meter = meterTransfers(guarded ? guardNativeBuild(deps.ort) : deps.ort);
  const ort = meter.ort;
  const packs = new Map<string, Promise<LoadedPack>>();
  const cancelled = new Set<string>();
  /** Paused jobs: the gate their loop awaits at the next step boundary. */
  const gates = new Map<string, PauseGate>();
  const caps = memoise(() => deps.probe());
  const loras = createLoraRunners({
    ort,
    readLora:
      deps.readLora ??
      (async (ref) =>
        Promise.reject(new EngineError('missing-lora', `LoRA ${ref.name} is not available here.`))),
    ...(deps.loraSessions !== undefined ? { maxSessions: deps.loraSessions } : {}),
  });

  /** Runs ORT work one job at a time (sessions are not re-entrant). */
  const serial = serialQueue();

  function capabilities(): Promise<Capabilities> {
    return caps.get();
  }

  /** Reads the request's pack manifest, validates the request against it and picks the backend. */
  async function prepare(request: TaskRequest, pref: BackendPreference) {
    const manifest = await readManifest(await deps.sourceFor(request.packId));
    assertValidRequest(request, manifest);
    return {
      manifest,
      choice: chooseBackend(await capabilities(), pref, needsShaderF16(manifest.components)),
    };
  }

  /** Resident when the whole pack (sessions + this request's tensors) fits the budget, else sequential. */
  async function residencyFor(
    request: TaskRequest,
    manifest: PackManifest,
    backend: Backend,
  ): Promise<Residency> {
    const facts = {
      maxBufferSize: (await capabilities()).maxBufferSize,
      ...(deps.deviceMemoryGiB !== undefined ? { deviceMemoryGiB: deps.deviceMemoryGiB } : {}),
    };
    const budget = gpuBudget(await deps.gpuBudgetGiB?.(), facts, backend);
    return chooseResidency(memoryPlan(manifest, taskTensors(request, manifest)), budget);
  }

  async function pack(
    packId: string,
    manifest: PackManifest,
    choice: { backend: Backend; reason: string },
    residency: Residency,
    onProgress?: ProgressCallback,
  ) {
    const key = `${packId}@${choice.backend}#${residency}`;
    if (!packs.has(key)) {
      // The other residency's copy of this pack goes first: the two would hold the sessions twice.
      const other = [...packs.entries()].filter(([k]) => k.startsWith(`${packId}@${choice.backend}#`));
      for (const [k] of other) packs.delete(k);
      await Promise.all(other.map(([, p]) => p.then((l) => l.release()).catch(() => undefined)));
    }
    const loading = memoIn(packs, key, () =>
      deps
        .sourceFor(packId)
        .then((src) => loadPack(src, manifest, ort, choice.backend, onProgress, true, residency)),
    );
    return { loaded: await loading, reason: choice.reason };
  }

  /** The pipeline of pack `packId` when it is a video (matting) pack; undefined otherwise or when pack.json cannot be read. */
  async function videoPipeline(packId: string): Promise<MediaPipeline | undefined> {
    try {
      const raw = parseJsonText(
        decoder.decode(await (await deps.sourceFor(packId)).readBytes('pack.json')),
        'pack.json',
      ) as { pipeline?: unknown };
      return (MEDIA_PIPELINES as readonly unknown[]).includes(raw.pipeline)
        ? (raw.pipeline as MediaPipeline)
        : undefined;
    } catch {
      return undefined;
    }
  }

  const video = createMattingEngine({
    ...deps,
    capabilities,
    serial,
    isCancelled: (id) => cancelled.has(id),
    clearCancelled: (id) => cancelled.delete(id),
  });

  /** "Test this pack": the pack loaded (cached like a job's) and its smallest valid request. */
  async function openForTest(packId: string, backend: BackendPreference, onProgress?: ProgressCallback) {
    const manifest = await readManifest(await deps.sourceFor(packId));
    const request = smallestRequest(manifest);
    const { choice } = await prepare(request, backend);
    // The residency a real task would get, so the test exercises the same session sequence.
    const residency = await residencyFor(request, manifest, choice.backend);
    return { loaded: (await pack(packId, manifest, choice, residency, onProgress)).loaded, request };
  }

  /** The matting API with the test's backend preference. */
  function videoTestApi(backend: BackendPreference): VideoPackApi {
    return {
      ...video,
      segmentEmbed: (id, frame) => video.segmentEmbed(id, frame, backend),
      segmentPoints: (id, embedding, points) => video.segmentPoints(id, embedding, points, backend),
      mattingOpen: (jobId, o) => video.mattingOpen(jobId, { ...o, backend }),
    };
  }

  return {
    capabilities,
    ...video,

    /** Reads and validates a pack's manifest (limits, defaults) without creating sessions. */
    async describePack(packId: string): Promise<PackManifest> {
      return readManifest(await deps.sourceFor(packId));
    },

    /** Generates one clip. Rejects with AbortError after cancel(jobId), EngineError otherwise. */
    generate(jobId: string, request: TaskRequest, opts: GenerateJobOptions = {}): Promise<GenerateOutcome> {
      return serial(async () => {
        let backend: Backend | undefined;
        try {
          const { manifest, choice } = await prepare(request, opts.backend ?? 'auto');
          backend = choice.backend;
          const residency = await residencyFor(request, manifest, choice.backend);
          const { loaded, reason } = await pack(request.packId, manifest, choice, residency, opts.onProgress);
          const transformerAt = await loras.transformerAt(
            request,
            loaded,
            await deps.sourceFor(request.packId),
          );
          meter.reset();
          const result = await generate(loaded, ort, request, {
            transfers: meter,
            ...(transformerAt ? { transformerAt } : {}),
            // Sequential: LoRA-merged transformers are released with the pack's own before decode.
            ...(residency === 'sequential'
              ? {
                  onPhase: (phase) =>
                    phase === 'decode' ? loras.releaseSessions(request.packId) : undefined,
                }
              : {}),
            onProgress: opts.onProgress,
            isCancelled: () => cancelled.has(jobId),
            waitWhilePaused: async () => gates.get(jobId)?.wait(),
            onCheckpoint: opts.onCheckpoint,
            resumeFrom: opts.resumeFrom,
            previews: opts.previews,
          });
          const sequential =
            residency === 'sequential'
              ? ' The model is larger than the GPU memory budget (Settings), so its text encoder, transformer and VAE ran one at a time.'
              : '';
          return {
            ...result,
            manifest: loaded.manifest,
            backendReason: reason + sequential,
            residency,
            transfers: meter.report(),
            ortBuild: deps.ortBuild ?? DEFAULT_ORT_BUILD,
          };
        } catch (err) {
          const lost =
            backend && deps.deviceLost ? await deps.deviceLost(backend).catch(() => undefined) : undefined;
          if (lost !== undefined) {
            packs.clear();
            await loras.release().catch(() => undefined);
            throw new EngineError(
              'device-lost',
              `The GPU device was lost (${lost}). Your settings are kept: press Generate to try again.`,
            );
          }
          throw err;
        } finally {
          cancelled.delete(jobId);
          gates.delete(jobId);
        }
      });
    },

    /**
     * "Test this pack": the smallest valid request with per-stage times and sanity checks (see
     * pack-test/). Resolves with a pass or a failure and its reason; rejects only with AbortError.
     */
    async testPack(
      jobId: string,
      packId: string,
      opts: { backend?: BackendPreference; onProgress?: ProgressCallback } = {},
    ): Promise<PackTestReport> {
      const backend = opts.backend ?? 'auto';
      const media = await videoPipeline(packId);
      // The matting API serialises each of its calls, so this path is not wrapped in serial().
      if (media)
        return runVideoPackTest(videoTestApi(backend), jobId, packId, media).finally(() =>
          cancelled.delete(jobId),
        );
      return serial(async () => {
        try {
          const report = await runPackTest(ort, packId, () => openForTest(packId, backend, opts.onProgress), {
            onProgress: opts.onProgress,
            isCancelled: () => cancelled.has(jobId),
            transfers: meter,
          });
          // A lost device leaves the cached sessions unusable: the next job loads them afresh.
          if (
            !report.pass &&
            report.backend &&
            deps.deviceLost &&
            (await deps.deviceLost(report.backend).catch(() => undefined)) !== undefined
          )
            packs.clear();
          return report;
        } finally {
          cancelled.delete(jobId);
        }
      });
    },

    /** Holds job `jobId` at its next step boundary, keeping its sessions and latent. */
    pause(jobId: string): void {
      const gate = gates.get(jobId) ?? new PauseGate();
      gate.pause();
      gates.set(jobId, gate);
    },

    /** Lets a paused job continue from the step where it stopped. */
    resume(jobId: string): void {
      gates.get(jobId)?.resume();
      gates.delete(jobId);
    },

    ...engineBenches({ ort, meter, serial, prepare, capabilities, sourceFor: deps.sourceFor }),

    /** Stops job `jobId` at its next step boundary (also when paused); its tensors are freed. */
    cancel(jobId: string): void {
      cancelled.add(jobId);
      gates.get(jobId)?.resume();
    },

    /** Releases the cached sessions of pack `packId` (it was deleted or reinstalled); the next job reads it afresh. */
    forget(packId: string): Promise<void> {
      // Serialised with jobs, so a running generation keeps its sessions until it ends.
      return serial(async () => {
        const mine = [...packs.entries()].filter(([key]) => key.startsWith(`${packId}@`));
        for (const [key] of mine) packs.delete(key);
        await loras.release(packId);
        await Promise.all(mine.map(([, p]) => p.then((l) => l.release()).catch(() => undefined)));
        await video.forgetVideoPacks(packId);
      });
    },

    /** Forgets a LoRA deleted from the library (its parsed tensors and merged sessions); a later task reads it from storage again. */
    forgetLora(sha256: string): Promise<void> {
      return serial(() => loras.forget(sha256));
    },

    /** Releases every session (and its GPU buffers). */
    async dispose(): Promise<void> {
      const all = [...packs.values()];
      packs.clear();
      await loras.release();
      await Promise.all(all.map((p) => p.then((l) => l.release()).catch(() => undefined)));
      await video.forgetVideoPacks();
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
