/** Main-thread bridge to the engine worker; turns an AbortSignal into cancel(jobId). */
import { proxy } from 'comlink';
import type { BackendPreference } from '../../engine/capabilities';
import type { ProgressCallback } from '../../engine/progress';
import type { TaskRequest } from '../../engine/request';
import type { EngineApi } from '../../workers/engine.worker';
import { WorkerBridge } from './worker-bridge';

export const engineBridge = new WorkerBridge<EngineApi>(() => new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'webgp-engine' }));

export async function generateClip(request: TaskRequest, backend: BackendPreference, onProgress: ProgressCallback, signal: AbortSignal) {
  const api = engineBridge.api;
  const jobId = crypto.randomUUID();
  const onAbort = () => void api.cancel(jobId);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await api.generate(jobId, request, backend, proxy(onProgress));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
