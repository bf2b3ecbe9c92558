/**
 * Every pack.json the installer, the folder import and the installed-pack list accept: the packs
 * the engine runs (any-manifest.ts: generation and video packs) and the prompt enhancer's LLM
 * and captioner packs (enhancer-manifest.ts), which the enhancer worker runs. One parser and one
 * file list for all, so each is downloaded, verified, resumed and deleted the same way.
 */
import { type AnyManifest, parseAnyManifest } from './any-manifest';
import { type EnhancerManifest, isEnhancerPipeline, parseEnhancerManifest } from './enhancer-manifest';
import { parseJsonText } from './header';
import { manifestFiles, type PackFile } from './pack-files';

export type InstallableManifest = AnyManifest | EnhancerManifest;

/** Whether `m` is a prompt-enhancer pack (no graph contract of the engine's: its graphs are checked by running them, docs/enhancer.md). */
export function isEnhancerManifest(m: InstallableManifest): m is EnhancerManifest {
  return isEnhancerPipeline(m.pipeline);
}

/** Validates pack.json text of any installable pack; throws EngineError('invalid-manifest') naming the bad fields. */
export function parseInstallableManifestText(text: string, source = 'pack.json'): InstallableManifest {
  const raw = parseJsonText(text, source);
  const pipeline =
    typeof raw === 'object' && raw !== null ? (raw as { pipeline?: unknown }).pipeline : undefined;
  return isEnhancerPipeline(pipeline) ? parseEnhancerManifest(raw, source) : parseAnyManifest(raw, source);
}

/** Every file of the pack besides pack.json, each once, in download order. */
export function installFiles(m: InstallableManifest): PackFile[] {
  return isEnhancerManifest(m) ? m.files : manifestFiles(m);
}
