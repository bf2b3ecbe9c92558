/** Writes a generated pack's files and returns the size and sha256 that pack.json lists for each. */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Integrity fields of one pack file, as pack.json lists them. */
export interface FileInfo {
  bytes: number;
  sha256: string;
}

/** A pack folder being written; paths are relative to it (sub-folders are created). */
export class PackFolder {
  /** `clean`: remove what an earlier run left there, so the folder holds exactly the files written now. */
  constructor(
    readonly dir: string,
    clean = false,
  ) {
    if (clean) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** Writes `data` at `path` and returns its bytes and sha256. */
  write(path: string, data: Uint8Array | string): FileInfo {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const file = join(this.dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    return { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  /** Writes pack.json (pretty-printed, final newline). */
  writeManifest(manifest: object): void {
    this.write('pack.json', `${JSON.stringify(manifest, null, 2)}\n`);
  }
}
