/** Main-thread bridge to the engine worker; turns an AbortSignal into cancel(jobId). */
import { proxy } from 'comlink';
import type { BackendPreference } from '../../engine/capabilities';
import type { PackTestReport } from '../../engine/pack-test/run-pack-test';
import type { LatentCheckpoint } from '../../engine/pipeline/generate';
import type { ProgressCallback } from '../../engine/progress';
import type { TaskRequest } from '../../engine/request';
import type { EngineApi } from '../../workers/engine.worker';
import { WorkerBridge } from './worker-bridge';

export const engineBridge = new WorkerBridge<EngineApi>(
  () =>
    new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'webgp-engine',
    }),
  'engine worker',
  // Five idle minutes with no matting job open free the sessions' GPU and wasm memory; the next
  // run loads them again.
  { idleMs: 300_000, sessions: { mattingClose: 'mattingOpen' } },
);

export interface ClipOptions {
  jobId: string;
  backend: BackendPreference;
  onProgress: ProgressCallback;
  signal: AbortSignal;
  resumeFrom?: LatentCheckpoint;
  onCheckpoint?: (cp: LatentCheckpoint) => Promise<void>;
}

export async function generateClip(request: TaskRequest, o: ClipOptions) {
  const api = engineBridge.api;
  const onAbort = () => void api.cancel(o.jobId);
  if (o.signal.aborted) onAbort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await api.generate(
      o.jobId,
      request,
      o.backend,
      proxy(o.onProgress),
      o.resumeFrom,
      o.onCheckpoint && proxy(o.onCheckpoint),
    );
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
}

/** "Test this pack" on pack `packId`: a pass or a failure with its reason (see engine/pack-test). */
export async function testPack(
  packId: string,
  backend: BackendPreference,
  onProgress: ProgressCallback,
): Promise<PackTestReport> {
  return engineBridge.api.testPack(`test-${packId}-${Date.now()}`, packId, backend, proxy(onProgress));
}

/** Holds / releases a running job at its next step boundary. */
export const pauseJob = (jobId: string) => engineBridge.api.pause(jobId);
export const resumeJob = (jobId: string) => engineBridge.api.resume(jobId);
