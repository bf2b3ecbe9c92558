/**
 * A pack folder on disk for the CLI: random access in slices (graphs are inspected without
 * reading weights) and streaming sha256, so multi-GB files are never read whole into memory.
 */
import { openAsBlob } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackFileReader, PackProblem } from '../engine/pack/verify-graphs';
import { sha256OfStream } from '../engine/sha256-stream';

/** Size of `path` inside `dir`, or undefined when it is not a file. */
export async function fileSize(dir: string, path: string): Promise<number | undefined> {
  try {
    const s = await stat(join(dir, path));
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** Reads pack files from `dir` a slice at a time. */
export function folderReader(dir: string): PackFileReader {
  return {
    size: (path) => fileSize(dir, path),
    async read(path, offset, length) {
      const handle = await open(join(dir, path), 'r');
      try {
        const buf = new Uint8Array(length);
        const { bytesRead } = await handle.read(buf, 0, length, offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}

/** sha256 (hex) of a file, streamed from disk. */
export async function fileSha256(dir: string, path: string): Promise<string> {
  const blob = await openAsBlob(join(dir, path));
  return sha256OfStream(blob.stream() as ReadableStream<Uint8Array>);
}

/** Every listed file of the pack against its size and sha256 in pack.json. */
export async function fileProblems(
  dir: string,
  files: readonly { path: string; bytes?: number; sha256?: string }[],
): Promise<PackProblem[]> {
  const problems: PackProblem[] = [];
  for (const f of files) {
    const size = await fileSize(dir, f.path);
    if (size === undefined)
      problems.push({
        code: 'missing-file',
        message: `${f.path} is missing: pack.json lists it`,
        absent: f.path,
      });
    else if (f.bytes !== undefined && size !== f.bytes)
      problems.push({
        code: 'corrupt-model',
        message: `${f.path} is ${size} bytes, pack.json says ${f.bytes}`,
      });
    else if (f.sha256 && (await fileSha256(dir, f.path)) !== f.sha256)
      problems.push({
        code: 'corrupt-model',
        message: `${f.path} has a different sha256 than pack.json gives`,
      });
  }
  return problems;
}
