/**
 * Main-thread bridge to the hash worker: the downloader's sha256 runs there (one job per file,
 * chunks transferred). Started on the first download; it stays while a hash is open and goes
 * after a minute idle.
 */
import { jobsHash } from '../../storage/file-hash';
import type { HashApi } from '../../workers/hash.worker';
import { WorkerBridge } from './worker-bridge';

const bridge = new WorkerBridge<HashApi>(
  () =>
    new Worker(new URL('../../workers/hash.worker.ts', import.meta.url), {
      type: 'module',
      name: 'webgp-hash',
    }),
  'hash worker',
  { idleMs: 60_000, sessions: { save: 'start', digest: 'start' } },
);

/** The downloader's hasher (DownloadOptions.hashWith). */
export const workerHash = jobsHash(() => bridge.api);
