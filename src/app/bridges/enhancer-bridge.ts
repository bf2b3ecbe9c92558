/**
 * Main-thread bridge to the prompt-enhancer worker: started lazily when a task asks for local
 * enhancement, cancelled through cancel(jobId), and shut down by resetEnhancer() — the worker is
 * terminated, so the LLM's sessions and GPU memory are gone before the generation pack loads
 * (when the enhance stage decides they do not fit beside it; run-enhance.ts).
 */
import { proxy } from 'comlink';
import type { BackendPreference } from '../../engine/capabilities';
import type { EnhanceMode } from '../../engine/enhancer/provider';
import type { EnhancerPipeline } from '../../engine/pack/enhancer-manifest';
import type { PackTestReport } from '../../engine/pack-test/run-pack-test';
import type { EnhancerApi } from '../../workers/enhancer.worker';
import { WorkerBridge } from './worker-bridge';

const bridge = new WorkerBridge<EnhancerApi>(
  () =>
    new Worker(new URL('../../workers/enhancer.worker.ts', import.meta.url), {
      type: 'module',
      name: 'webgp-enhancer',
    }),
);
let started = false;

export async function enhanceLocally(o: {
  jobId: string;
  packId: string;
  backend: BackendPreference;
  prompt: string;
  mode: EnhanceMode;
  seed: number;
  imageCaption?: string;
  signal: AbortSignal;
  onText: (text: string, tokens: number) => void;
}): Promise<{ text: string; tokens: number; sessionBytes: number }> {
  return cancellable(o.jobId, o.signal, (api) =>
    api.enhance(
      o.jobId,
      o.packId,
      o.backend,
      {
        prompt: o.prompt,
        mode: o.mode,
        seed: o.seed,
        ...(o.imageCaption !== undefined ? { imageCaption: o.imageCaption } : {}),
      },
      proxy(o.onText),
    ),
  );
}

/** The caption of the start image by captioner pack `packId`, made in the enhancer worker. */
export function captionLocally(o: {
  jobId: string;
  packId: string;
  backend: BackendPreference;
  startImage: string;
  signal: AbortSignal;
}): Promise<string> {
  return cancellable(o.jobId, o.signal, (api) => api.caption(o.jobId, o.packId, o.backend, o.startImage));
}

/** "Test this pack" on enhancer pack `packId` (run-enhancer-pack-test.ts) in the enhancer worker. */
export function testEnhancerPack(o: {
  packId: string;
  pipeline: EnhancerPipeline;
  backend: BackendPreference;
  sampleImage: string;
}): Promise<PackTestReport> {
  const jobId = `test-${o.packId}-${Date.now()}`;
  return cancellable(jobId, new AbortController().signal, (api) =>
    api.testPack(jobId, o.packId, o.backend, o.pipeline, o.sampleImage),
  );
}

/** Runs one worker call, turning the abort signal into cancel(jobId). */
async function cancellable<T>(
  jobId: string,
  signal: AbortSignal,
  call: (api: typeof bridge.api) => Promise<T>,
): Promise<T> {
  started = true;
  const api = bridge.api;
  const onAbort = () => void api.cancel(jobId);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await call(api);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Releases the local enhancer (reset, then terminate the worker); true when one was running. */
export async function resetEnhancer(): Promise<boolean> {
  if (!started) return false;
  started = false;
  await bridge.api.reset().catch(() => undefined);
  bridge.terminate();
  return true;
}
