/**
 * Engine worker: ONNX Runtime Web (WebGPU, wasm fallback) behind comlink. Generation and "Test
 * this pack" run on the onnxruntime-web build Settings or the pack names (ort-builds.ts); other
 * work on Settings' build.
 */
import { expose, type ProxyMarked, releaseProxy, type Remote, transfer } from 'comlink';
import { holdAliveLock } from './alive-lock';
import type { BackendPreference } from '../engine/capabilities';
import { installErrorTransfer } from '../browser/comlink-errors';
import { probeCapabilities } from '../browser/probe-capabilities';
import type { LoraPack } from '../engine/lora/analyse';
import { resolveLoraSpec } from '../engine/lora/derive-targets';
import { memoise } from '../engine/memo';
import { mergeInstalled, pickerPacks } from '../engine/pack/pack-list';
import { findPack, parseRegistry, type RegistryEntry } from '../engine/pack/registry';
import { httpPackSource } from '../engine/pack/pack-source';
import { readLoraBytes } from '../storage/lora-store';
import { loadSettings } from '../storage/settings-store';
import { buildEngines } from './ort-builds';
import { DEFAULT_ORT_BUILD, type OrtBuild } from '../engine/ort-build';
import { installedPack, installedPacks, opfsPackSource } from '../storage/pack-store';
import { type ProgressCallback, throttleProgress } from '../engine/progress';
import type { LatentCheckpoint } from '../engine/pipeline/generate';
import type { AlphaFrame, RgbaFrame, SegmentPoint } from '../engine/matting/frames';
import type { MattingOpen } from '../engine/matting/matting-engine';
import type { TaskRequest } from '../engine/request';

installErrorTransfer();

const modelsBase = new URL(`${import.meta.env.BASE_URL}models/`, self.location.origin);
/** The bundled registry, fetched once (again after a failed fetch). */
const registry = memoise(() =>
  fetch(new URL('registry.json', modelsBase))
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`models/registry.json: HTTP ${r.status}`))))
    .then(parseRegistry),
);
const registryPacks = () => registry.get();

/** The registry's packs plus those installed in OPFS (read afresh: the Models page installs and deletes). */
async function listPacks(): Promise<RegistryEntry[]> {
  return mergeInstalled(await registryPacks(), await installedPacks());
}

/** navigator.deviceMemory (Chromium, workers too), for the default GPU memory budget. */
function deviceMemory(): { deviceMemoryGiB?: number } {
  const gib = (navigator as typeof navigator & { deviceMemory?: number }).deviceMemory;
  return gib !== undefined ? { deviceMemoryGiB: gib } : {};
}

// An installed pack is read from OPFS; otherwise the registry's bundled folder (same origin).
const sourceFor = async (packId: string) =>
  (await installedPack(packId))
    ? opfsPackSource(packId)
    : httpPackSource(new URL(findPack(await registryPacks(), packId).url, modelsBase).href);

const engines = buildEngines({
  sourceFor,
  probe: probeCapabilities,
  readLora: readLoraBytes,
  // Read at every run, so a changed Settings value applies to the next task.
  gpuBudgetGiB: async () => (await loadSettings()).gpuBudgetGiB,
  ...deviceMemory(),
});
/** Jobs cancelled before their engine was known (cancel may arrive while the build loads). */
const cancelledEarly = new Set<string>();
/** The engine for job `jobId` on `packId`, told of a cancel that came first. */
async function engineForJob(jobId: string, packId: string) {
  const e = await engines.forPack(packId);
  if (cancelledEarly.delete(jobId)) e.cancel(jobId);
  return e;
}
/** Matting and SAM clicks run on the default build: a matting session must not change build midway. */
const videoEngine = () => engines.engine(DEFAULT_ORT_BUILD);
/** The engine of Settings' build, or of `build` (the bench's per-build rows). */
const engineOf = (build?: OrtBuild) => (build ? engines.engine(build) : engines.current());

/** The usable packs (bundled or installed, test packs included) whose transformer takes LoRAs. */
async function loraPacks(): Promise<LoraPack[]> {
  const packs = pickerPacks(await listPacks(), true);
  // Targets declared by lora.rules are read from the transformer graphs (headers only, no weights).
  const spec = async (id: string) => {
    const t = (await (await engineOf()).describePack(id)).components.transformer;
    return t.lora?.rules ? resolveLoraSpec(await sourceFor(id), t) : t.lora;
  };
  const found = await Promise.all(
    packs.map((p) =>
      spec(p.id).then(
        (lora) => lora && { packId: p.id, lora },
        () => undefined,
      ),
    ),
  );
  return found.filter((x): x is LoraPack => !!x);
}
const transferAlpha = (a: AlphaFrame) => transfer(a, [a.data.buffer]);

/** Releases the comlink proxies a run was given (their MessagePorts), once the run is over. */
function releaseCallbacks(...callbacks: unknown[]): void {
  for (const cb of callbacks) (cb as Remote<ProxyMarked> | undefined)?.[releaseProxy]?.();
}

const api = {
  holdAliveLock,
  listPacks,
  loraPacks,
  capabilities: async () => (await engineOf()).capabilities(),
  describePack: async (packId: string) => (await engineOf()).describePack(packId),
  /** Callbacks are comlink proxies (top-level arguments only); `onCheckpoint` gets each step's latent, transferred. */
  async generate(
    jobId: string,
    request: TaskRequest,
    backend: BackendPreference,
    onProgress: ProgressCallback,
    resumeFrom?: LatentCheckpoint,
    onCheckpoint?: (cp: LatentCheckpoint) => Promise<void>,
  ) {
    try {
      const engine = await engineForJob(jobId, request.packId);
      const out = await engine.generate(jobId, request, {
        backend,
        onProgress: throttleProgress(onProgress, 100),
        resumeFrom,
        previews: true,
        onCheckpoint: onCheckpoint && ((cp) => onCheckpoint(transfer(cp, [cp.latent.buffer]))),
      });
      return transfer(out, [out.frames.rgba.buffer, out.latent.buffer]);
    } finally {
      cancelledEarly.delete(jobId);
      releaseCallbacks(onProgress, onCheckpoint);
    }
  },
  /** "Test this pack" (see engine/pack-test); resolves with a pass or a failure and its reason. */
  async testPack(jobId: string, packId: string, backend: BackendPreference, onProgress: ProgressCallback) {
    try {
      return await (
        await engineForJob(jobId, packId)
      ).testPack(jobId, packId, { backend, onProgress: throttleProgress(onProgress, 100) });
    } finally {
      releaseCallbacks(onProgress);
    }
  },
  pause: (jobId: string) => engines.each((e) => e.pause(jobId)),
  resume: (jobId: string) => engines.each((e) => e.resume(jobId)),
  bench: async (request: TaskRequest, backend: BackendPreference, rounds?: number) =>
    (await engineOf()).bench(request, backend, rounds),
  /** Benchmarks a pack served at `url` (the bench's copies of the contract test packs) on `build` (default: Settings'). */
  benchPipeline: async (
    url: string,
    request: TaskRequest,
    backend: BackendPreference,
    build?: OrtBuild,
    rounds?: number,
  ) => (await engineOf(build)).benchPipeline(httpPackSource(url), request, backend, rounds),
  /** Peak session memory of the pack served at `url`, all sessions resident vs sequential. */
  benchResidency: async (url: string, request: TaskRequest, backend: BackendPreference) =>
    (await engineOf()).benchResidency(httpPackSource(url), request, backend),
  /** Benchmarks a per-step LoRA schedule on the pack served at `url` with the given LoRA file. */
  benchLora: async (url: string, request: TaskRequest, loraBytes: Uint8Array, backend: BackendPreference) =>
    (await engineOf()).benchLora(httpPackSource(url), request, loraBytes, backend),
  /** Video packs (segment-points / matting-memory): manifest, SAM clicks, and the matting loop one frame at a time. */
  describeVideoPack: async (packId: string) => (await videoEngine()).describeVideoPack(packId),
  segmentEmbed: async (packId: string, frame: RgbaFrame, backend?: BackendPreference) =>
    (await videoEngine()).segmentEmbed(packId, frame, backend),
  segmentPoints: async (
    packId: string,
    embeddingId: string,
    points: SegmentPoint[],
    backend?: BackendPreference,
  ) => transferAlpha(await (await videoEngine()).segmentPoints(packId, embeddingId, points, backend)),
  mattingOpen: async (jobId: string, o: MattingOpen) => (await videoEngine()).mattingOpen(jobId, o),
  /** The frame's buffer is transferred in by the caller; the alpha is transferred out. */
  mattingFrame: async (jobId: string, frame: RgbaFrame) =>
    transferAlpha(await (await videoEngine()).mattingFrame(jobId, frame)),
  mattingClose: async (jobId: string) => (await videoEngine()).mattingClose(jobId),
  cancel: (jobId: string) => {
    cancelledEarly.add(jobId);
    return engines.each((e) => e.cancel(jobId));
  },
  forget: (packId: string) => engines.each((e) => e.forget(packId)),
  forgetLora: (sha256: string) => engines.each((e) => e.forgetLora(sha256)),
  dispose: () => engines.each((e) => e.dispose()),
};

export type EngineApi = typeof api;
expose(api);
