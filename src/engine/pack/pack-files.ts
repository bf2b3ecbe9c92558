/**
 * Which files a runnable pack consists of, derived from its manifest: what the downloader
 * fetches and verifies, what an import must contain, and which tensor names each ONNX graph
 * must have (checked at install time without creating sessions).
 */
import type { PackManifest } from './manifest';

/** One file of a pack, relative to the pack folder. */
export interface PackFile {
  path: string;
  bytes?: number;
  sha256?: string;
}

/** An ONNX graph of the pack and the names the manifest expects it to have. */
export interface GraphContract {
  file: string;
  inputs: string[];
  outputs: string[];
  /** External-data locations as recorded in the graph (relative to the graph's folder). */
  externalData: string[];
}

/** Every file the pack needs besides pack.json, each listed once, in download order. */
export function manifestFiles(m: PackManifest): PackFile[] {
  const files = new Map<string, PackFile>();
  const add = (f: PackFile) => {
    if (!files.has(f.path)) files.set(f.path, f);
  };
  add({ path: m.tokenizer.file });
  for (const c of Object.values(m.components)) add({ path: c.file, bytes: c.bytes, sha256: c.sha256 });
  return [...files.values()];
}

/** The graph contracts of every ONNX file in the pack. */
export function manifestGraphs(m: PackManifest): GraphContract[] {
  return Object.values(m.components).map((c) => ({ file: c.file, inputs: Object.values(c.inputs), outputs: Object.values(c.outputs), externalData: [] }));
}
