/**
 * Where a pack's files come from. The engine only sees this interface; the HTTP source
 * (bundled packs, same origin) is here, OPFS sources live in src/storage.
 */
import { EngineError } from '../errors';
import { sha256Hex } from '../hash';

export interface PackSource {
  /** Human-readable location for messages, e.g. "/models/demo-t2v/". */
  readonly label: string;
  readBytes(file: string): Promise<Uint8Array>;
  /** The file as a Blob (OPFS: a File backed by disk), for external data handed to ORT without copying into one buffer. */
  readBlob(file: string): Promise<Blob>;
}

export type FetchLike = (url: string) => Promise<Response>;

/** Reads pack files over HTTP relative to `baseUrl`; a 404 becomes EngineError('missing-file'). */
export function httpPackSource(baseUrl: string, fetchFn: FetchLike = (u) => fetch(u)): PackSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  async function get(file: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetchFn(base + file);
    } catch (err) {
      throw new EngineError(
        'missing-file',
        `Could not fetch ${file} from ${base} (${(err as Error).message}). Check your connection, or use a pack that is already stored.`,
      );
    }
    if (!res.ok)
      throw new EngineError(
        'missing-file',
        `Model file ${file} is missing from pack ${base} (HTTP ${res.status}). Re-install the pack.`,
      );
    return res;
  }
  return {
    label: base,
    readBytes: async (file) => new Uint8Array(await (await get(file)).arrayBuffer()),
    readBlob: async (file) => (await get(file)).blob(),
  };
}

/** Checks size and sha256 (when the manifest gives them); mismatches are 'corrupt-model'. */
export async function verifyFile(
  file: string,
  bytes: Uint8Array,
  expected: { bytes?: number; sha256?: string },
): Promise<void> {
  if (expected.bytes !== undefined && bytes.byteLength !== expected.bytes) {
    throw new EngineError(
      'corrupt-model',
      `Model file ${file} is ${bytes.byteLength} bytes but the pack says ${expected.bytes}: the download is incomplete or corrupt. Re-install the pack.`,
    );
  }
  if (expected.sha256 && (await sha256Hex(bytes)) !== expected.sha256) {
    throw new EngineError(
      'corrupt-model',
      `Model file ${file} failed its integrity check (sha256 differs from pack.json). Re-install the pack.`,
    );
  }
}
