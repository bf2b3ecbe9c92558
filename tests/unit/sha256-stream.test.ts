/** Streaming SHA-256 (src/engine/sha256-stream.ts) against node:crypto on random data in random
 * chunk sizes, the empty message, block-boundary lengths, and the 64-bit bit-length counter. */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bitLengthBytes, Sha256, sha256OfStream } from '../../src/engine/sha256-stream';
import { mulberry32 } from '../../src/engine/random';

const nodeHex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Splits `data` into chunks of random sizes (0 included) from a seeded generator. */
function chunks(data: Uint8Array, seed: number, max: number): Uint8Array[] {
  const rand = mulberry32(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.byteLength;) {
    const n = Math.floor(rand() * (max + 1));
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('Sha256', () => {
  it('hashes the empty message', () => {
    expect(new Sha256().digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new Sha256().update(new Uint8Array(0)).digestHex()).toBe(nodeHex(new Uint8Array(0)));
  });

  it('matches node:crypto at every length around the block and padding boundaries', () => {
    const data = randomBytes(200);
    for (let n = 0; n <= 200; n++)
      expect(new Sha256().update(data.subarray(0, n)).digestHex(), `length ${n}`).toBe(
        nodeHex(data.subarray(0, n)),
      );
  });

  it('matches node:crypto on random data fed in random chunk sizes', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const data = randomBytes(Math.floor(mulberry32(seed)() * 300_000));
      const hash = new Sha256();
      for (const c of chunks(data, seed, seed % 2 ? 97 : 70_000)) hash.update(c);
      expect(hash.length).toBe(data.byteLength);
      expect(hash.digestHex()).toBe(nodeHex(data));
    }
  });

  it('hashes a stream chunk by chunk', async () => {
    const data = randomBytes(123_457);
    const parts = chunks(data, 7, 5000);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });
    expect(await sha256OfStream(stream)).toBe(nodeHex(data));
  });

  it('refuses to be used after the digest', () => {
    const h = new Sha256();
    h.digestHex();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digestHex/);
    expect(() => h.digestHex()).toThrow(/twice/);
  });
});

describe('bitLengthBytes', () => {
  const bigEndianBits = (bytes: number) => {
    const bits = BigInt(bytes) * 8n;
    return Uint8Array.from({ length: 8 }, (_, i) => Number((bits >> BigInt(56 - 8 * i)) & 0xffn));
  };

  it('encodes the bit count as 64-bit big-endian, beyond 2^32 bits and 2^32 bytes', () => {
    for (const bytes of [
      0,
      1,
      55,
      64,
      2 ** 29 - 1,
      2 ** 29,
      2 ** 29 + 1,
      2 ** 32 - 1,
      2 ** 32,
      5 * 1024 ** 3 + 17,
      6_024_000_000,
      2 ** 40 + 3,
      2 ** 53 - 1,
    ]) {
      expect([...bitLengthBytes(bytes)], `${bytes} bytes`).toEqual([...bigEndianBits(bytes)]);
    }
  });

  it('gives a 5 GiB message the high word a 32-bit counter would lose', () => {
    // 5 GiB = 42,949,672,960 bits = 0x0000000A_00000000: a 32-bit length would wrap to 0.
    expect([...bitLengthBytes(5 * 1024 ** 3)]).toEqual([0, 0, 0, 0x0a, 0, 0, 0, 0]);
  });
});
