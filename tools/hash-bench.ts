/**
 * sha256 throughput for pack downloads, one run: before (the plain-TypeScript incremental hash
 * the downloader ran over every file read back from OPFS, src/engine/sha256-stream.ts) and after
 * (hash-wasm, updated as the bytes arrive, src/storage/download-hash.ts, in the hash worker), over the same 1 MiB
 * chunks. Measured in Node (the same V8 and WebAssembly engine as Chromium); the read-back pass
 * itself, which the new path drops, is not in the "before" figure, so the real gain is larger.
 */
import { createSHA256 } from 'hash-wasm';
import { Sha256 } from '../src/engine/sha256-stream';

export interface HashBenchRow {
  hasher: string;
  mib: number;
  mibPerSecond: number;
  hex: string;
}

function chunks(mib: number): Uint8Array[] {
  return Array.from({ length: mib }, (_, i) => {
    const c = new Uint8Array(1 << 20);
    for (let j = 0; j < c.length; j += 4096) c[j] = (i * 31 + j) & 255;
    return c;
  });
}

async function time(name: string, data: Uint8Array[], hash: () => Promise<string>): Promise<HashBenchRow> {
  const t0 = performance.now();
  const hex = await hash();
  const s = (performance.now() - t0) / 1000;
  return { hasher: name, mib: data.length, mibPerSecond: data.length / s, hex };
}

/** Both rows over `mib` MiB; the digests must agree. */
export async function benchHash(mib = 256): Promise<HashBenchRow[]> {
  const data = chunks(mib);
  const before = await time('read-back, TypeScript sha256', data, async () => {
    const h = new Sha256();
    for (const c of data) h.update(c);
    return h.digestHex();
  });
  const wasm = await createSHA256();
  const after = await time('while downloading, hash-wasm', data, async () => {
    wasm.init();
    for (const c of data) wasm.update(c);
    return wasm.digest('hex');
  });
  if (before.hex !== after.hex) throw new Error('the two sha256 implementations disagree');
  return [before, after];
}
