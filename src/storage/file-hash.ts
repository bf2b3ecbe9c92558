/**
 * The sha256 a download keeps for one file while its bytes arrive, behind one interface whether
 * the hash runs in the hash worker (the app hands in `jobsHash` over the worker's comlink API, so
 * the main thread only posts chunks) or in-thread (the default, and Node tests). Chunks are
 * transferred, not copied; at most `BACKLOG` chunks wait for the worker, so memory stays bounded
 * when hashing falls behind the network. Counts the main-thread time spent on hashing (a test hook).
 */
import { transfer } from 'comlink';
import { DownloadHash } from './download-hash';
import type { SavedHash } from './hash-jobs';

/** A running hash over a file's first `bytes` bytes. */
export interface FileHash {
  readonly bytes: number;
  update(chunk: Uint8Array): Promise<void>;
  /** Ends the hash at a pause: the state to keep with the resume point (undefined when it is lost: the file is then checked from disk). */
  save(): Promise<SavedHash | undefined>;
  /** Ends the hash: the hex digest, or undefined when it is lost. */
  hex(): Promise<string | undefined>;
}

/** Starts a hash at byte `at`, resumed from `saved`; undefined when the stored prefix was never hashed. */
export type HashStarter = (at: number, saved?: SavedHash) => Promise<FileHash | undefined>;

/** Main-thread milliseconds spent hashing (or handing chunks to the hash worker), and the chunks. */
export const hashTime = { mainMs: 0, chunks: 0 };
if (typeof globalThis !== 'undefined')
  (globalThis as { __webgpHashTime?: typeof hashTime }).__webgpHashTime = hashTime;

const timed = <T>(fn: () => T): T => {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    hashTime.mainMs += performance.now() - t0;
    hashTime.chunks++;
  }
};

/** Hashing on the calling thread. */
export const inThreadHash: HashStarter = async (at, saved) => {
  const h = await DownloadHash.start(at, saved?.state, saved?.bytes);
  if (!h) return undefined;
  return {
    get bytes() {
      return h.bytes;
    },
    update: async (chunk) => timed(() => h.update(chunk)),
    save: async () => ({ state: h.save(), bytes: h.bytes }),
    hex: async () => h.hex(),
  };
};

/** What `jobsHash` needs of the hash worker's API (src/storage/hash-jobs.ts, every call a promise). */
export interface HashJobsRemote {
  start(id: number, at: number, saved?: SavedHash): Promise<boolean>;
  update(id: number, chunk: Uint8Array): Promise<void>;
  save(id: number): Promise<SavedHash>;
  digest(id: number): Promise<{ hex: string; bytes: number }>;
}

/** Chunks posted to the worker and not yet hashed, at most. */
export const BACKLOG = 8;
let nextJob = 1;

/** The chunk with a buffer of its own, to transfer (a view into a larger buffer is copied). */
const own = (c: Uint8Array): Uint8Array<ArrayBuffer> =>
  c.byteOffset === 0 && c.byteLength === c.buffer.byteLength && c.buffer instanceof ArrayBuffer
    ? (c as Uint8Array<ArrayBuffer>)
    : c.slice();

/** Hashing in the hash worker: one job per file. */
export function jobsHash(remote: () => HashJobsRemote): HashStarter {
  return async (at, saved) => {
    const api = remote();
    const id = nextJob++;
    if (!(await api.start(id, at, saved))) return undefined;
    let bytes = at;
    let failed = false;
    const waiting: Promise<void>[] = [];
    const settled = async (): Promise<boolean> => {
      await Promise.all(waiting.splice(0));
      return !failed;
    };
    return {
      get bytes() {
        return bytes;
      },
      async update(chunk) {
        const mine = own(chunk);
        bytes += mine.byteLength;
        const sent = timed(() => api.update(id, transfer(mine, [mine.buffer])));
        waiting.push(sent.catch(() => void (failed = true)));
        if (waiting.length > BACKLOG) await waiting.shift();
      },
      async save() {
        if (!(await settled())) return undefined;
        return api.save(id).catch(() => undefined);
      },
      async hex() {
        if (!(await settled())) return undefined;
        const d = await api.digest(id).catch(() => undefined);
        return d?.bytes === bytes ? d.hex : undefined;
      },
    };
  };
}
