/**
 * Writing a test pack: graph files (with their external-data files) and pack.json entries that
 * list every file with bytes and sha256 — per repeat for a repeated stage — and the shared header.
 * Every manifest is validated with the engine's parseManifest before it is written.
 */
import { folderOf } from '../../src/engine/pack/components';
import { PACK_SCHEMA, type Pipeline, parseManifest } from '../../src/engine/pack/manifest';
import type { FileInfo, PackFolder } from '../demo-pack/pack-folder';

/** A generated ONNX graph and, when its weights are stored externally, the external-data file. */
export interface GraphFile {
  model: Uint8Array;
  /** `path` as recorded in the graph (relative to the graph's folder) and the file's bytes. */
  external?: { path: string; data: Uint8Array };
}

export interface TestPackMeta {
  id: string;
  name: string;
  description: string;
  pipeline: Pipeline;
}

/** Header fields every test pack shares. */
export function testPackHeader(meta: TestPackMeta): Record<string, unknown> {
  return { schema: PACK_SCHEMA, id: meta.id, version: '1.0.0', name: meta.name, description: meta.description, license: 'MIT', demo: true, pipeline: meta.pipeline };
}

/** Writes one graph at `file` (and its external data beside it); returns its pack.json fields. */
export function writeGraph(folder: PackFolder, file: string, graph: GraphFile): Record<string, unknown> {
  const info = folder.write(file, graph.model);
  if (!graph.external) return { file, ...info };
  const data = folder.write(folderOf(file) + graph.external.path, graph.external.data);
  return { file, ...info, externalData: [{ path: graph.external.path, ...data }] };
}

/** Replaces `{i:2}` in a repeated stage's template by the zero-padded index. */
export function expandTemplate(template: string, i: number): string {
  return template.replace('{i:2}', String(i).padStart(2, '0'));
}

function perRepeat(infos: FileInfo[]): { bytes: number[]; sha256: string[] } {
  return { bytes: infos.map((f) => f.bytes), sha256: infos.map((f) => f.sha256) };
}

/**
 * Writes the graphs of a repeated stage (`file` and `externalPath` contain `{i:2}`); returns the
 * stage's pack.json fields with one bytes/sha256 per repeat.
 */
export function writeRepeatedGraphs(folder: PackFolder, file: string, externalPath: string, graphs: GraphFile[]): Record<string, unknown> {
  const models: FileInfo[] = [];
  const data: FileInfo[] = [];
  graphs.forEach((g, i) => {
    if (g.external?.path !== expandTemplate(externalPath, i)) throw new Error(`${file}[${i}] must record its external data as ${expandTemplate(externalPath, i)}`);
    models.push(folder.write(expandTemplate(file, i), g.model));
    data.push(folder.write(folderOf(file) + g.external.path, g.external.data));
  });
  return { file, repeat: graphs.length, ...perRepeat(models), externalData: [{ path: externalPath, ...perRepeat(data) }] };
}

/** Validates `manifest` as a runnable pack.json and writes it. */
export function writeTestManifest(folder: PackFolder, manifest: Record<string, unknown>): void {
  parseManifest(manifest, `${String(manifest.id)}/pack.json`);
  folder.writeManifest(manifest);
}
