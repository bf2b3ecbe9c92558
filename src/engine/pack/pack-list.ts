/**
 * The pack list the app sees: the registry's entries plus the packs installed in this browser
 * (marked `installed`; those the registry does not know become entries of their own), and which
 * of them the generator's Model picker offers.
 */
import { ENHANCER_PIPELINES, MEDIA_PIPELINES } from './header';
import { parseInstallableManifestText } from './installable-manifest';
import type { RegistryEntry } from './registry';

/** What the engine needs of an install record (src/storage/pack-store.ts PackRecord). */
export interface InstalledPackInfo {
  id: string;
  name: string;
  baseUrl: string;
  manifestText: string;
  files: { bytes: number }[];
}

function entryOf(p: InstalledPackInfo): RegistryEntry {
  const files = p.files.filter((f) => f.bytes >= 0);
  const entry: RegistryEntry = {
    id: p.id,
    name: p.name,
    url: `opfs:packs/${p.id}/`,
    demo: false,
    test: false,
    remote: false,
    files: [],
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    bytesApprox: false,
    unknownSizes: p.files.length - files.length,
    installed: true,
    installedFrom: p.baseUrl,
  };
  try {
    const m = parseInstallableManifestText(p.manifestText);
    entry.demo = m.demo;
    entry.license = m.license;
    entry.pipeline = m.pipeline;
  } catch {
    // Installed manifests were valid at install time; a newer schema only loses the extra facts here.
  }
  return entry;
}

/** Registry entries (installed ones marked) followed by installed packs the registry does not know, by name. */
export function mergeInstalled(registry: RegistryEntry[], installed: InstalledPackInfo[]): RegistryEntry[] {
  const ids = new Set(installed.map((p) => p.id));
  const known = new Set(registry.map((e) => e.id));
  const extra = installed
    .filter((p) => !known.has(p.id))
    .map(entryOf)
    .sort((a, b) => a.name.localeCompare(b.name));
  return [...registry.map((e) => (ids.has(e.id) ? { ...e, installed: true as const } : e)), ...extra];
}

/**
 * The packs the generator's Model picker offers: bundled or installed ones (a remote pack only
 * once installed), without test packs unless `withTest` — except packs the user installed — and
 * without video (segmentation/matting) packs, which the Matting page offers, or the prompt
 * enhancer's LLM and captioner packs, which Settings → Prompt enhancer names.
 */
export function pickerPacks(entries: RegistryEntry[], withTest: boolean): RegistryEntry[] {
  const video = (p: RegistryEntry) =>
    ([...MEDIA_PIPELINES, ...ENHANCER_PIPELINES] as readonly (string | undefined)[]).includes(p.pipeline);
  return entries.filter(
    (p) => (!p.remote || p.installed) && (withTest || !p.test || p.installed) && !video(p),
  );
}
