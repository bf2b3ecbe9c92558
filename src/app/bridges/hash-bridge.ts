/**
 * Main-thread bridge to the hash worker: the downloader's sha256 runs there (one job per file,
 * chunks transferred). Started on the first download; it goes after 5 minutes with no call (a
 * download stalled that long then checks its file from disk: the hash went with the worker).
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
  { idleMs: 300_000 },
);

/** The downloader's hasher (DownloadOptions.hashWith). */
export const workerHash = jobsHash(() => bridge.api);
