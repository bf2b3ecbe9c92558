/**
 * Installs a pack from files the user picked or dropped (a folder with pack.json): the
 * manifest's files are copied into OPFS (each File streamed by the browser, not read into
 * memory) and pass the same checks as a download — size, sha256, graph check. All or nothing:
 * any failure removes what was copied.
 */
import { EngineError } from '../engine/errors';
import {
  installFiles,
  isEnhancerManifest,
  parseInstallableManifestText,
} from '../engine/pack/installable-manifest';
import { assertPackId, assertPackPath, packRootOf, quotaShortfall } from '../engine/pack/transfer';
import { deletePack, getRecord, type PackRecord, saveRecord, PACK_RECORD_VERSION } from './pack-store';
import { requestPersistence, verifyStoredFile, verifyStoredGraphs, writeStoredFile } from './pack-verify';
import { storageEstimate } from './quota';

export interface ImportProgress {
  id: string;
  loaded: number;
  total: number;
  file: string;
}

export interface ImportResult {
  id: string;
  name: string;
  persisted: boolean;
}

/**
 * Imports the pack among `picked` (relative path → File, as a folder picker or a drop gives
 * them; the pack may sit in a subfolder). `source` names the folder in messages.
 */
export async function importPack(
  picked: Map<string, File>,
  source: string,
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportResult> {
  const root = packRootOf([...picked.keys()]);
  if (root === undefined)
    throw new EngineError(
      'missing-file',
      `${source} has no pack.json. Pick the pack folder itself (the one with pack.json in it).`,
    );
  const file = (path: string) => picked.get(root + path);
  const manifestText = await (file('pack.json') as File).text();
  const manifest = parseInstallableManifestText(manifestText, `pack.json of ${source}`);
  assertPackId(manifest.id);
  const wanted = installFiles(manifest);
  wanted.forEach((f) => assertPackPath(f.path));
  const missing = wanted.filter((f) => !file(f.path)).map((f) => f.path);
  if (missing.length)
    throw new EngineError(
      'missing-file',
      `${source} lacks ${missing.join(', ')}, which pack.json lists. Add ${missing.length === 1 ? 'it' : 'them'} (or pick the complete pack folder) and import again.`,
    );
  for (const f of wanted) {
    const size = (file(f.path) as File).size;
    if (f.bytes !== undefined && size !== f.bytes)
      throw new EngineError(
        'corrupt-model',
        `Model file ${f.path} in ${source} is ${size} bytes but pack.json says ${f.bytes}: the copy is incomplete or corrupt. Nothing was imported.`,
      );
  }

  const existing = await getRecord(manifest.id);
  if (existing?.status === 'installed')
    throw new EngineError(
      'invalid-request',
      `${existing.name} (${manifest.id}) is already installed. Delete it on the Models page to import it again.`,
    );
  const total = wanted.reduce((n, f) => n + (file(f.path) as File).size, 0);
  const shortfall = quotaShortfall(
    `Importing ${manifest.name}`,
    total + manifestText.length,
    await storageEstimate(),
  );
  if (shortfall) throw shortfall;
  if (existing) await deletePack(manifest.id);
  const persisted = await requestPersistence();

  const record: PackRecord = {
    version: PACK_RECORD_VERSION,
    id: manifest.id,
    name: manifest.name,
    baseUrl: `local:${source}`,
    manifestText,
    status: 'downloading',
    files: wanted.map((f) => ({
      path: f.path,
      bytes: (file(f.path) as File).size,
      done: 0,
      ...(f.sha256 ? { sha256: f.sha256 } : {}),
    })),
    updatedAt: Date.now(),
  };
  let loaded = 0;
  try {
    await saveRecord(record);
    await writeStoredFile(record.id, record.name, 'pack.json', manifestText);
    for (const f of record.files) {
      onProgress?.({ id: record.id, loaded, total, file: f.path });
      await writeStoredFile(record.id, record.name, f.path, file(f.path) as File);
      await verifyStoredFile(record.id, { ...f, bytes: wanted.find((w) => w.path === f.path)?.bytes });
      f.done = f.bytes;
      loaded += f.bytes;
    }
    onProgress?.({ id: record.id, loaded, total, file: 'pack.json' });
    // The engine's graph contracts do not cover enhancer packs: their graphs are checked by running them (docs/enhancer.md).
    if (!isEnhancerManifest(manifest))
      record.manifestText = await verifyStoredGraphs(record.id, record.name, manifest, manifestText);
    await saveRecord({ ...record, status: 'installed' });
    return { id: record.id, name: record.name, persisted };
  } catch (err) {
    await deletePack(record.id).catch(() => undefined);
    throw err;
  }
}
