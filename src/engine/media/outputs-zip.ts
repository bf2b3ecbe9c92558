/**
 * One zip of several outputs (videos, images, settings) for a single download. Media that is
 * already compressed is stored; text is deflated. Names are flat and unique inside the archive.
 */
import { zipSync, type Zippable } from 'fflate';
import { availableFileName } from '../naming';

/** One file to put in the archive; `name` is a bare file name (no folders). */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const STORED = new Set(['mp4', 'png', 'jpg', 'jpeg', 'webm', 'zip']);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Refuses names that could escape the extraction folder (zip-slip) or are empty. */
function checkName(name: string): void {
  if (!name || name === '.' || name === '..' || /[/\\]/.test(name) || name.includes('\0')) {
    throw new Error(
      `Refusing zip entry name ${JSON.stringify(name)}: use a plain file name without folders, "/", "\\" or ".."`,
    );
  }
}

/** `name`, or `name (2).ext`, `name (3).ext`… whichever is not yet taken (the one collision rule, naming.ts). */
function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [name, ''];
  const candidate = availableFileName(stem, ext, taken);
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** The zip archive of `entries`; duplicate names are renamed, unsafe names throw. */
export function buildZip(entries: ZipEntry[]): Uint8Array {
  for (const { name } of entries) checkName(name);
  const taken = new Set<string>();
  const files: Zippable = {};
  for (const { name, data } of entries) {
    files[uniqueName(name, taken)] = [data, { level: STORED.has(extensionOf(name)) ? 0 : 6 }];
  }
  return zipSync(files);
}
