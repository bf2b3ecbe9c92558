/**
 * The download plan of a remote registry pack: its manifest is the bundled pack.json (next to
 * registry.json), its files come from the registry's `source.url`. A header-only pack.json
 * (what the real packs ship today) cannot drive a download: that is said plainly.
 */
import type { EngineError } from '../engine/errors';
import { parseInstallableManifestText } from '../engine/pack/installable-manifest';
import type { RegistryEntry } from '../engine/pack/registry';
import type { DownloadPlan } from '../storage/pack-downloader';

export async function registryPlan(entry: RegistryEntry): Promise<DownloadPlan> {
  if (!entry.source) throw new Error(`${entry.name} is bundled with the app; there is nothing to download.`);
  const folder = new URL(entry.url, new URL(`${import.meta.env.BASE_URL}models/`, location.href));
  const res = await fetch(new URL('pack.json', folder));
  if (!res.ok)
    throw new Error(
      `The bundled pack.json of ${entry.name} could not be read (HTTP ${res.status}). Reload the page and try again.`,
    );
  const manifestText = await res.text();
  let id: string;
  try {
    id = parseInstallableManifestText(manifestText, `pack.json of ${entry.name}`).id;
  } catch (err) {
    const first = Object.entries((err as EngineError).fields ?? {})[0];
    throw new Error(
      `This version of WebGP cannot download ${entry.name} yet: its bundled pack.json describes the model but not the files and graphs a download needs${first ? ` (${first[0]}: ${first[1]})` : ''}.`,
    );
  }
  if (id !== entry.id)
    throw new Error(
      `The bundled pack.json of ${entry.name} is for pack "${id}", not "${entry.id}". This build's model list is inconsistent; reload the page.`,
    );
  return { id: entry.id, name: entry.name, baseUrl: entry.source.url, manifestText };
}
