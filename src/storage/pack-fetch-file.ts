/**
 * Downloads one pack file into OPFS: streams the fetch body chunk by chunk into a
 * FileSystemWritableFileStream (never the whole file in memory), continuing a partial file with
 * `Range: bytes=<have>-` at the stored size. A pause or a dropped connection commits what
 * arrived and reports where it stopped; HTTP and quota failures are named errors.
 */
import { EngineError, isAbortError } from '../engine/errors';
import { assertRedirectAllowed } from '../engine/pack/pack-url';
import { parseContentRange, planResponse, rangeHeader } from '../engine/pack/transfer';
import type { FileHash } from './file-hash';
import { packFileHandle } from './pack-store';
import { storageFullWhileWriting } from './pack-verify';
import { isQuotaError } from './quota';

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface FetchFileArgs {
  id: string;
  /** Pack name, for messages. */
  name: string;
  path: string;
  url: string;
  /** Whether pack.json pins the file by sha256 (only then may a redirect leave the URL's origin). */
  pinned: boolean;
  /** Expected size; < 0 when unknown (learned from the response). */
  expected: number;
  /** Bytes already stored. */
  have: number;
  signal: AbortSignal;
  fetchFn: FetchFn;
  /** Called after every chunk with the bytes stored so far. */
  onBytes(have: number): void;
  /** Called when a file of unknown size reveals its size. */
  onSize(bytes: number): void;
  /**
   * The sha256 so far (over `have` bytes), updated with every stored chunk; called with the
   * offset the body starts at, it answers the hash to continue (a fresh one at 0), or undefined
   * when the stored prefix was never hashed (then the download checks the file from disk).
   */
  hashFrom?(at: number): Promise<FileHash | undefined>;
}

/** `done`: the whole body is stored; `paused` (AbortSignal) or `interrupted` (network): `have` bytes are kept. */
export type FileOutcome =
  { kind: 'done'; have: number } | { kind: 'paused' | 'interrupted'; have: number; detail?: string };

function stopped(err: unknown, signal: AbortSignal, have: number): FileOutcome {
  if (signal.aborted || isAbortError(err)) return { kind: 'paused', have };
  return { kind: 'interrupted', have, detail: (err as Error)?.message };
}

/** The size a response reveals for the whole file, if any. */
function sizeFrom(res: Response, at: number): number | undefined {
  if (res.status === 206) return parseContentRange(res.headers.get('Content-Range'))?.total;
  const length = res.headers.get('Content-Length');
  return length === null ? undefined : at + Number(length);
}

export async function fetchFileIntoOpfs(a: FetchFileArgs): Promise<FileOutcome> {
  let have = a.have;
  // Two tries: a resumed request the server answers at another offset is asked again without Range.
  for (let attempt = 0; attempt < 2; attempt++) {
    let res: Response;
    try {
      res = await a.fetchFn(a.url, {
        headers: have > 0 ? { Range: rangeHeader(have) } : {},
        signal: a.signal,
        cache: 'no-store',
      });
    } catch (err) {
      return stopped(err, a.signal, have);
    }
    assertRedirectAllowed(a.url, res, `Model file ${a.path}`, a.pinned);
    const plan = planResponse(
      res.status,
      have,
      res.headers.get('Content-Range'),
      a.expected >= 0 ? a.expected : undefined,
    );
    switch (plan.kind) {
      case 'missing':
        throw new EngineError(
          'missing-file',
          `Model file ${a.path} is missing on the server: ${a.url} answered HTTP ${res.status}. The pack there is incomplete, so nothing was installed; check the URL or ask its publisher.`,
        );
      case 'refused':
        throw new EngineError(
          'missing-file',
          `Model file ${a.path} could not be downloaded: ${a.url} answered HTTP ${res.status}. Check the URL and that the server lets this site download it (CORS).`,
        );
      case 'retry':
        await res.body?.cancel().catch(() => undefined);
        return { kind: 'interrupted', have, detail: `the server answered HTTP ${res.status}` };
      case 'complete':
        await res.body?.cancel().catch(() => undefined);
        return { kind: 'done', have };
      case 'refetch':
        await res.body?.cancel().catch(() => undefined);
        have = 0;
        continue;
    }
    const at = plan.kind === 'append' ? have : 0;
    const size = sizeFrom(res, at);
    if (a.expected < 0 && size !== undefined) a.onSize(size);
    return stream(a, res, at);
  }
  throw new EngineError(
    'missing-file',
    `Model file ${a.path} could not be resumed: ${a.url} keeps answering with a part that does not fit. Delete the pack and install it again.`,
  );
}

async function stream(a: FetchFileArgs, res: Response, at: number): Promise<FileOutcome> {
  const handle = await packFileHandle(a.id, a.path, true);
  if (!handle) throw new Error(`Could not create ${a.path} in OPFS`);
  const writable = await handle.createWritable({ keepExistingData: at > 0 });
  let pos = at;
  const fail = async (err: unknown): Promise<never> => {
    await writable.abort().catch(() => undefined);
    throw isQuotaError(err) ? storageFullWhileWriting(a.name) : err;
  };
  try {
    if (at > 0) await writable.seek(at);
  } catch (err) {
    return fail(err);
  }
  const hash = await a.hashFrom?.(at);
  a.onBytes(pos);
  const reader = res.body?.getReader();
  for (;;) {
    let chunk: Uint8Array | undefined;
    try {
      const r = reader ? await reader.read() : { done: true as const, value: undefined };
      if (r.done) break;
      chunk = r.value;
    } catch (err) {
      // The connection dropped or the user paused: keep what arrived (close() commits it).
      const outcome = stopped(err, a.signal, pos);
      await writable.close().catch(fail);
      return outcome;
    }
    try {
      await writable.write(chunk as Uint8Array<ArrayBuffer>);
    } catch (err) {
      await reader?.cancel().catch(() => undefined);
      return fail(err);
    }
    pos += chunk.byteLength;
    await hash?.update(chunk); // may transfer the chunk's buffer away
    a.onBytes(pos);
  }
  try {
    await writable.close();
  } catch (err) {
    return fail(err);
  }
  return { kind: 'done', have: pos };
}
