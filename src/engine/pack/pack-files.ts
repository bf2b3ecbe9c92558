/**
 * Which files a runnable pack consists of, derived from its manifest: what the downloader
 * fetches and verifies, what an import must contain, and which ONNX graphs it has (checked
 * against their contract at install time without creating sessions, see verify-graphs.ts).
 */
import { type AnyManifest, isMediaManifest } from './any-manifest';
import { type ComponentSpec, componentGraphs } from './components';
import { tokenizerFiles } from './manifest';

/** One file of a pack, relative to the pack folder. */
export interface PackFile {
  path: string;
  bytes?: number;
  sha256?: string;
  /** Where to download it when not from the pack folder (an absolute URL; bytes and sha256 are then pinned). */
  url?: string;
}

type Source = { bytes?: number; sha256?: string; url?: string };
const file = (path: string, s: Source): PackFile => ({
  path,
  ...(s.bytes !== undefined ? { bytes: s.bytes } : {}),
  ...(s.sha256 ? { sha256: s.sha256 } : {}),
  ...(s.url ? { url: s.url } : {}),
});

/** An ONNX graph of the pack and the external-data locations pack.json lists for it (as recorded in the graph, relative to its folder). */
export interface PackGraph {
  file: string;
  externalData: string[];
}

/** The components a pack has (optional ones it leaves out are skipped), by name. */
function packComponents(m: AnyManifest): [string, ComponentSpec][] {
  return Object.entries(m.components as Record<string, ComponentSpec | undefined>).filter(
    (entry): entry is [string, ComponentSpec] => entry[1] !== undefined,
  );
}

/** Every file the pack needs besides pack.json, each listed once, in download order. */
export function manifestFiles(m: AnyManifest): PackFile[] {
  const files = new Map<string, PackFile>();
  const add = (f: PackFile) => {
    if (!files.has(f.path)) files.set(f.path, f);
  };
  if (!isMediaManifest(m)) {
    for (const t of [m.tokenizer, m.tokenizer2])
      for (const f of t ? tokenizerFiles(t) : []) add(file(f.file, f));
    const table = m.components.textEncoder.embedding;
    if (table) {
      add(file(table.file, table));
      if (table.scales)
        add(
          file(table.scales, { bytes: table.scalesBytes, sha256: table.scalesSha256, url: table.scalesUrl }),
        );
    }
  }
  for (const [, c] of packComponents(m)) {
    for (const g of componentGraphs(c)) {
      add(file(g.file, g));
      for (const x of g.externalData) add(file(x.file, x));
    }
  }
  return [...files.values()];
}

/** Every ONNX graph of the pack with its listed external data (stages one by one). */
export function manifestGraphs(m: AnyManifest): PackGraph[] {
  return packComponents(m).flatMap(([, c]) =>
    componentGraphs(c).map((g) => ({ file: g.file, externalData: g.externalData.map((x) => x.path) })),
  );
}
