/**
 * sha256 of a pack file computed while its bytes arrive (hash-wasm, WebAssembly), so a finished
 * download needs no second read from OPFS. The hasher's state is saved with the resume point
 * (`InstallFile.hashState`, valid for `hashedBytes` bytes), so a pause or a reload continues the
 * hash where the file continues. Counts the bytes any pack check still reads back (a test hook).
 */
import { createSHA256, type IHasher } from 'hash-wasm';

/** Bytes hashed by reading stored pack files back from OPFS (0 after a download that hashed as it went). */
export const readBack = { bytes: 0, files: 0 };
if (typeof globalThis !== 'undefined')
  (globalThis as { __webgpHashReadBack?: typeof readBack }).__webgpHashReadBack = readBack;

/** A running sha256 over a file's first `bytes` bytes. */
export class DownloadHash {
  private constructor(
    private readonly hasher: IHasher,
    public bytes: number,
  ) {}

  /** A hash at byte `at`: resumed from `state` when it covers exactly `at` bytes; else undefined (unless at = 0). */
  static async start(at: number, state?: Uint8Array, stateBytes?: number): Promise<DownloadHash | undefined> {
    const hasher = await createSHA256();
    hasher.init();
    if (at === 0) return new DownloadHash(hasher, 0);
    if (!state || stateBytes !== at) return undefined;
    try {
      hasher.load(state);
    } catch {
      return undefined; // a state of another hash-wasm build: hash from disk instead
    }
    return new DownloadHash(hasher, at);
  }

  update(chunk: Uint8Array): void {
    this.hasher.update(chunk);
    this.bytes += chunk.byteLength;
  }

  /** The state to keep with the resume point. */
  save(): Uint8Array {
    return this.hasher.save();
  }

  /** The hex digest (ends the hash). */
  hex(): string {
    return this.hasher.digest('hex');
  }
}
