/**
 * The hash worker's table of running sha256 hashes, one per file being downloaded (a numbered
 * job): started fresh or from a saved state, fed chunks, saved at a pause, ended with the digest.
 * Plain TypeScript over hash-wasm, so it runs in the hash worker (src/workers/hash.worker.ts)
 * and in-thread in Node tests alike.
 */
import { EngineError } from '../engine/errors';
import { DownloadHash } from './download-hash';

/** A saved hash: the hash-wasm state, valid for the first `bytes` bytes of the file. */
export interface SavedHash {
  state: Uint8Array;
  bytes: number;
}

export function hashJobs() {
  const jobs = new Map<number, DownloadHash>();
  const job = (id: number): DownloadHash => {
    const h = jobs.get(id);
    if (!h)
      throw new EngineError(
        'worker-lost',
        `Hash job ${id} is not running (the hash worker restarted). Press Resume: the file is then checked from disk.`,
      );
    return h;
  };
  return {
    /** Starts job `id` at byte `at` (resumed from `saved` when it covers exactly `at` bytes); false when it cannot. */
    async start(id: number, at: number, saved?: SavedHash): Promise<boolean> {
      const h = await DownloadHash.start(at, saved?.state, saved?.bytes);
      if (h) jobs.set(id, h);
      return !!h;
    },
    /** Adds the next chunk of the file (the caller transfers its buffer). */
    update(id: number, chunk: Uint8Array): void {
      job(id).update(chunk);
    },
    /** Ends job `id` at a pause: the state to keep with the resume point. */
    save(id: number): SavedHash {
      const h = job(id);
      jobs.delete(id);
      return { state: h.save(), bytes: h.bytes };
    },
    /** Ends job `id`: the hex digest and the bytes it covers. */
    digest(id: number): { hex: string; bytes: number } {
      const h = job(id);
      jobs.delete(id);
      return { hex: h.hex(), bytes: h.bytes };
    },
    /** How many jobs are open (for tests). */
    open: (): number => jobs.size,
  };
}

export type HashJobs = ReturnType<typeof hashJobs>;
