/**
 * Queue export/import as a zip, following WanGP's queue.zip where it fits: `queue.json` holds
 * `[{ id, params }]` with params under WanGP key names, and input media travel as files in the
 * zip (params name them by media role). Import keeps every valid task and reports the others.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Unzipped, type Zippable } from 'fflate';
import { EngineError } from '../errors';
import { applySettings } from '../metadata/settings-file';
import { own } from '../own-key';
import type { PackManifest } from '../pack/manifest';
import { defaultRequest, type TaskRequest, validateRequest } from '../request';
import { dataUrlBytes, pngDataUrl } from '../media/png-decode';
import { requestParams } from '../settings';
import type { Task } from './task';

/** Params keys (WanGP names) whose value is an input media file. */
export const MEDIA_ROLES = [
  'image_start',
  'image_end',
  'image_refs',
  'image_guide',
  'image_mask',
  'video_source',
  'video_guide',
  'video_mask',
  'audio_guide',
  'audio_source',
] as const;

/** queue.json is refused above this size (guards against zip bombs). */
export const MAX_QUEUE_JSON_BYTES = 16 * 1024 * 1024;

const QUEUE_JSON = 'queue.json';

export interface QueueFileItem {
  request: TaskRequest;
  media?: Record<string, Blob>;
}

/** A task that could not be imported; `index` is its 1-based position in queue.json. */
export interface QueueFileError {
  index: number;
  id?: string;
  message: string;
}

export interface QueueImport {
  items: QueueFileItem[];
  errors: QueueFileError[];
}

const EXT_BY_MIME: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
};

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  mp4: 'video/mp4',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
};

function extensionOf(mime: string): string {
  return own(EXT_BY_MIME, mime.split(';')[0]!.trim().toLowerCase()) ?? 'bin';
}

function mimeOf(path: string): string {
  const ext = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  return own(MIME_BY_EXT, ext) ?? 'application/octet-stream';
}

/** Builds queue.zip bytes: queue.json ([{id, params}], params = requestParams + media roles → zip paths) and media/ files. */
export async function exportQueue(
  tasks: (Pick<Task, 'id' | 'media'> & { request: TaskRequest })[],
): Promise<Uint8Array> {
  const files: Zippable = {};
  const entries = [];
  for (const [i, task] of tasks.entries()) {
    const params: Record<string, unknown> = { ...requestParams(task.request) };
    // An i2v task's start image travels as WanGP's image_start file.
    const start = task.request.startImage
      ? { image_start: new Blob([dataUrlBytes(task.request.startImage)], { type: 'image/png' }) }
      : {};
    for (const [role, blob] of Object.entries({ ...task.media, ...start })) {
      const path = `media/${i + 1}_${role}.${extensionOf(blob.type)}`;
      files[path] = [new Uint8Array(await blob.arrayBuffer()), { level: 0 }];
      params[role] = path;
    }
    entries.push({ id: task.id, params });
  }
  files[QUEUE_JSON] = [strToU8(JSON.stringify(entries, null, 2)), { level: 6 }];
  return zipSync(files);
}

function fileError(fileName: string, why: string): EngineError {
  return new EngineError('invalid-queue-file', `${fileName} ${why}`);
}

function isZip(bytes: Uint8Array): boolean {
  // PK\x03\x04 starts a zip with entries; PK\x05\x06 is an empty zip (reported as "no queue.json").
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  );
}

/** Unzips only the entries `keep` accepts (fflate sizes each output by its header, so it stays bounded). */
function unzipSome(
  bytes: Uint8Array,
  fileName: string,
  keep: (name: string, size: number) => boolean,
): Unzipped {
  try {
    return unzipSync(bytes, { filter: (f) => keep(f.name, f.originalSize) });
  } catch (err) {
    const detail = err instanceof Error ? ` (${err.message})` : '';
    throw fileError(
      fileName,
      `is not a queue file: the zip is damaged${detail}. Export the queue again and import the new file.`,
    );
  }
}

/** Central-directory size of a zip entry without name, extra field or comment. */
const MIN_DIRECTORY_ENTRY = 46;

/**
 * The entry count in the zip's end record, if that many entries fit in the file. fflate walks
 * as many entries as the record claims, reading past the end as zeros: a 600-byte file claiming
 * 65,535 entries took seconds (found by the fuzz harness).
 */
function directoryFits(bytes: Uint8Array): { entries: number; fits: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    const entries = view.getUint16(at + 10, true);
    return { entries, fits: entries * MIN_DIRECTORY_ENTRY <= at };
  }
  return { entries: 0, fits: true };
}

function readEntries(bytes: Uint8Array, fileName: string): unknown[] {
  if (!isZip(bytes))
    throw fileError(
      fileName,
      "is not a queue file: it is not a .zip. Export a queue from WebGP (or WanGP's queue.zip) and import that.",
    );
  const directory = directoryFits(bytes);
  if (!directory.fits)
    throw fileError(
      fileName,
      `is not a queue file: its zip directory claims ${directory.entries} entries, more than its ${bytes.length} bytes can hold. Export the queue again and import the new file.`,
    );
  let jsonSize = 0;
  const zip = unzipSome(bytes, fileName, (name, size) => {
    if (name !== QUEUE_JSON) return false;
    jsonSize = size;
    return size <= MAX_QUEUE_JSON_BYTES;
  });
  if (jsonSize > MAX_QUEUE_JSON_BYTES)
    throw fileError(
      fileName,
      `has a queue.json of ${jsonSize} bytes, more than the ${MAX_QUEUE_JSON_BYTES} allowed. Split the queue into smaller exports.`,
    );
  const json = zip[QUEUE_JSON];
  if (!json)
    throw fileError(
      fileName,
      "has no queue.json. Export a queue from WebGP (or WanGP's queue.zip) and import that.",
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(json));
  } catch (err) {
    throw fileError(
      fileName,
      `has a queue.json that is not valid JSON (${err instanceof Error ? err.message : String(err)}). Export the queue again.`,
    );
  }
  if (!Array.isArray(parsed))
    throw fileError(
      fileName,
      'has a queue.json that is not a list of tasks ([{ "id": …, "params": { … } }]). Export the queue again.',
    );
  return parsed;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Media paths an item names (role → path); empty strings mean "no file", as in WanGP. */
function mediaPaths(params: Record<string, unknown>): [string, string][] {
  return MEDIA_ROLES.flatMap((role) => {
    const v = params[role];
    return typeof v === 'string' && v !== '' ? [[role, v] as [string, string]] : [];
  });
}

interface Checked {
  request?: TaskRequest;
  problems: string[];
}

function checkParams(
  params: Record<string, unknown>,
  manifestFor: (packId: string) => PackManifest | undefined,
  knownPacks: string[],
  startImage?: Uint8Array,
): Checked {
  const model = params.model_type;
  const manifest = typeof model === 'string' ? manifestFor(model) : undefined;
  if (!manifest) {
    const which = typeof model === 'string' ? `unknown model "${model}"` : 'no model_type';
    return { problems: [`${which}. Should be one of: ${knownPacks.join(', ')}.`] };
  }
  const loaded = applySettings(params, defaultRequest(manifest), manifest);
  if (startImage && manifest.pipeline === 'i2v-flow-dit') loaded.request.startImage = pngDataUrl(startImage);
  const problems = loaded.rejected.map((r) => `${r}.`);
  for (const [field, message] of Object.entries(validateRequest(loaded.request, manifest)))
    problems.push(`${field}: ${message}`);
  return { request: loaded.request, problems };
}

/** Parses queue.zip bytes; whole-file problems throw EngineError('invalid-queue-file'), per-task problems go to `errors`. */
export function importQueue(
  bytes: Uint8Array,
  fileName: string,
  manifestFor: (packId: string) => PackManifest | undefined,
  knownPacks: string[],
): QueueImport {
  const entries = readEntries(bytes, fileName);
  const wanted = new Set(
    entries.flatMap((e) =>
      isObject(e) && isObject(e.params) ? mediaPaths(e.params).map(([, path]) => path) : [],
    ),
  );
  const media = wanted.size ? unzipSome(bytes, fileName, (name) => wanted.has(name)) : {};
  const result: QueueImport = { items: [], errors: [] };
  entries.forEach((entry, i) => {
    const index = i + 1;
    const rawId = isObject(entry) ? entry.id : undefined;
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : undefined;
    const fail = (problems: string[]) => {
      result.errors.push({
        index,
        ...(id !== undefined ? { id } : {}),
        message: `Task ${index}${id !== undefined ? ` (id "${id}")` : ''}: ${problems.join(' ')}`,
      });
    };
    if (!isObject(entry) || !isObject(entry.params))
      return fail(['expected an object with "params" (an object of settings).']);
    const files: Record<string, Blob> = {};
    const missing: string[] = [];
    let startImage: Uint8Array | undefined;
    for (const [role, path] of mediaPaths(entry.params)) {
      const data = own(media, path);
      if (!data) missing.push(`media file "${path}" is missing from the zip.`);
      else if (role === 'image_start' && mimeOf(path) === 'image/png') startImage = data;
      else files[role] = new Blob([data], { type: mimeOf(path) });
    }
    let checked: Checked;
    try {
      checked = checkParams(entry.params, manifestFor, knownPacks, startImage);
    } catch (err) {
      // One task that trips a parser is reported alone; the others still import.
      return fail([`its settings could not be read (${err instanceof Error ? err.message : String(err)}).`]);
    }
    const { request, problems } = checked;
    problems.push(...missing);
    if (!request || problems.length) return fail(problems);
    result.items.push({ request, ...(Object.keys(files).length ? { media: files } : {}) });
  });
  return result;
}
