/** The hash worker's bookkeeping (src/storage/hash-jobs.ts) and its main-thread client
 * (src/storage/file-hash.ts `jobsHash`), run in-thread: one job per file, a pause saves the state
 * and ends the job, a resume continues it to the one-shot digest, the backlog of chunks waiting
 * for the worker is bounded, and a lost worker means "check from disk", never a wrong digest. */
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../../src/engine/sha256-stream';
import { BACKLOG, type HashJobsRemote, jobsHash } from '../../src/storage/file-hash';
import { hashJobs } from '../../src/storage/hash-jobs';

const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) & 255);
const oneShot = new Sha256().update(bytes).digestHex();

/** The worker's API as comlink shows it: every call a promise. */
function inThread(jobs = hashJobs()): HashJobsRemote {
  return {
    start: async (id, at, saved) => jobs.start(id, at, saved),
    update: async (id, chunk) => jobs.update(id, chunk),
    save: async (id) => jobs.save(id),
    digest: async (id) => jobs.digest(id),
  };
}

describe('hash jobs', () => {
  it('hashes a file fed in chunks (views into larger buffers too) and closes its job', async () => {
    const jobs = hashJobs();
    const h = await jobsHash(() => inThread(jobs))(0);
    const copy = bytes.slice();
    await h!.update(copy.subarray(0, 70_001));
    await h!.update(copy.subarray(70_001, 150_000));
    await h!.update(copy.slice(150_000));
    expect(h!.bytes).toBe(bytes.length);
    expect(await h!.hex()).toBe(oneShot);
    expect(jobs.open()).toBe(0);
  });

  it('saves at a pause, ends that job, and resumes from the state to the same digest', async () => {
    const jobs = hashJobs();
    const start = jobsHash(() => inThread(jobs));
    const first = await start(0);
    await first!.update(bytes.slice(0, 123_457));
    const saved = await first!.save();
    expect(saved?.bytes).toBe(123_457);
    expect(jobs.open()).toBe(0);
    expect(await start(100, saved)).toBeUndefined(); // the state does not cover the stored bytes
    const resumed = await start(123_457, saved);
    await resumed!.update(bytes.slice(123_457));
    expect(await resumed!.hex()).toBe(oneShot);
  });

  it('waits for the worker once more than BACKLOG chunks are in flight', async () => {
    const release: (() => void)[] = [];
    const remote = {
      ...inThread(),
      update: () => new Promise<void>((r) => release.push(r)),
    };
    const h = await jobsHash(() => remote)(0);
    for (let i = 0; i < BACKLOG; i++) await h!.update(new Uint8Array(4));
    let passed = false;
    const next = h!.update(new Uint8Array(4)).then(() => (passed = true));
    await Promise.resolve();
    expect(passed).toBe(false);
    release[0]!();
    await next;
    expect(passed).toBe(true);
  });

  it('answers no digest and no state when the worker lost the job (the file is then read back)', async () => {
    let jobs = hashJobs();
    const remote: HashJobsRemote = {
      start: async (id, at, saved) => jobs.start(id, at, saved),
      update: async (id, chunk) => jobs.update(id, chunk),
      save: async (id) => jobs.save(id),
      digest: async (id) => jobs.digest(id),
    };
    const h = await jobsHash(() => remote)(0);
    const g = await jobsHash(() => remote)(0);
    await h!.update(bytes.slice(0, 1000));
    jobs = hashJobs(); // the worker restarted: its jobs are gone
    await h!.update(bytes.slice(1000, 2000));
    expect(await h!.hex()).toBeUndefined();
    expect(await g!.save()).toBeUndefined();
  });

  it('names a job that is not running', () => {
    expect(() => hashJobs().update(7, new Uint8Array(1))).toThrow(/Hash job 7 is not running/);
  });
});
