/**
 * Which files a runnable pack consists of, derived from its manifest: what the downloader
 * fetches and verifies, what an import must contain, and which tensor names each ONNX graph
 * must have (checked at install time without creating sessions).
 */
import { type AnyManifest, isMediaManifest } from './any-manifest';
import { type ComponentSpec, componentGraphs, requiredInputNames } from './components';

/** One file of a pack, relative to the pack folder. */
export interface PackFile {
  path: string;
  bytes?: number;
  sha256?: string;
}

/**
 * An ONNX graph of the pack and the names the manifest expects it to have (for a stage of a
 * block-streamed component: the inputs and outputs its feeds/emits rename).
 */
export interface GraphContract {
  file: string;
  inputs: string[];
  outputs: string[];
  /** External-data locations as recorded in the graph (relative to the graph's folder). */
  externalData: string[];
}

/** The components a pack has (optional ones it leaves out are skipped), by name. */
function packComponents(m: AnyManifest): [string, ComponentSpec][] {
  return Object.entries(m.components as Record<string, ComponentSpec | undefined>).filter((entry): entry is [string, ComponentSpec] => entry[1] !== undefined);
}

/** Every file the pack needs besides pack.json, each listed once, in download order. */
export function manifestFiles(m: AnyManifest): PackFile[] {
  const files = new Map<string, PackFile>();
  const add = (f: PackFile) => {
    if (!files.has(f.path)) files.set(f.path, f);
  };
  if (!isMediaManifest(m)) {
    add({ path: m.tokenizer.file, bytes: m.tokenizer.bytes, sha256: m.tokenizer.sha256 });
    const table = m.components.textEncoder.embedding;
    if (table) {
      add({ path: table.file, bytes: table.bytes, sha256: table.sha256 });
      if (table.scales) add({ path: table.scales, bytes: table.scalesBytes, sha256: table.scalesSha256 });
    }
  }
  for (const [, c] of packComponents(m)) {
    for (const g of componentGraphs(c)) {
      add({ path: g.file, bytes: g.bytes, sha256: g.sha256 });
      for (const x of g.externalData) add({ path: x.file, bytes: x.bytes, sha256: x.sha256 });
    }
  }
  return [...files.values()];
}

/** The graph contracts of every ONNX file in the pack. */
export function manifestGraphs(m: AnyManifest): GraphContract[] {
  return packComponents(m).flatMap(([, c]) =>
    c.stages
      ? c.stages.map((s) => ({ file: s.file, inputs: Object.keys(s.feeds), outputs: Object.keys(s.emits), externalData: s.externalData.map((x) => x.path) }))
      : [{ file: c.file, inputs: requiredInputNames(c), outputs: Object.values(c.outputs), externalData: c.externalData.map((x) => x.path) }],
  );
}
