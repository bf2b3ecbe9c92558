/** The download hash (src/storage/download-hash.ts): a hash paused after some bytes, saved, and
 * loaded again (a reload) ends at the one-shot digest; a state that does not cover exactly the
 * stored bytes is refused (the file is then checked from disk). */
import { describe, expect, it } from 'vitest';
import { DownloadHash } from '../../src/storage/download-hash';
import { Sha256 } from '../../src/engine/sha256-stream';

const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 255);
const oneShot = new Sha256().update(bytes).digestHex();

describe('download hash', () => {
  it('resumes from a saved state at the resume point and ends at the one-shot digest', async () => {
    const first = (await DownloadHash.start(0)) as DownloadHash;
    first.update(bytes.subarray(0, 65_537));
    first.update(bytes.subarray(65_537, 100_003));
    const state = first.save();
    expect(first.bytes).toBe(100_003);
    const resumed = (await DownloadHash.start(100_003, state, 100_003)) as DownloadHash;
    resumed.update(bytes.subarray(100_003));
    expect(resumed.bytes).toBe(bytes.length);
    expect(resumed.hex()).toBe(oneShot);
  });

  it('refuses a state that does not cover the stored bytes, or none at a non-zero offset', async () => {
    const h = (await DownloadHash.start(0)) as DownloadHash;
    h.update(bytes.subarray(0, 10));
    expect(await DownloadHash.start(20, h.save(), 10)).toBeUndefined();
    expect(await DownloadHash.start(20)).toBeUndefined();
    expect(await DownloadHash.start(10, new Uint8Array(3), 10)).toBeUndefined();
  });
});
