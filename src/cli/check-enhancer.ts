/**
 * `webgp check` for the prompt enhancer's packs (pipeline `prompt-llm` or `image-captioner`,
 * docs/enhancer.md): their `llm` / `captioner` section parses, and the tokenizer and every graph
 * exist with the bytes and sha256 pack.json gives. Graph tensor names are checked when the
 * enhancer opens the pack, not here.
 */
import { errorCode } from '../engine/errors';
import { formatSize } from '../engine/format-size';
import { isEnhancerPipeline, parseEnhancerManifest } from '../engine/pack/enhancer-manifest';
import type { CheckReport } from './check';
import { fileProblems, fileSize } from './pack-folder';

/** The check report of an enhancer pack, or undefined when pack.json is not one. */
export async function checkEnhancerPack(dir: string, text: string): Promise<CheckReport | undefined> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!isEnhancerPipeline(raw.pipeline)) return undefined;
  let files: { path: string; bytes?: number; sha256?: string }[];
  try {
    files = parseEnhancerManifest(raw).files;
  } catch (err) {
    return { ok: false, lines: [`${errorCode(err) ?? 'invalid-manifest'}: ${(err as Error).message}`] };
  }
  const problems = await fileProblems(dir, files);
  if (problems.length)
    return { ok: false, lines: problems.map((p) => `${p.code}: ${p.message.replace(/\.+$/, '')}`) };
  const sizes = await Promise.all(files.map(async (f) => (await fileSize(dir, f.path)) ?? 0));
  const unpinned = files.filter((f) => f.bytes === undefined || f.sha256 === undefined).length;
  return {
    ok: true,
    lines: [
      `${String(raw.id)} ${String(raw.version)} — ${String(raw.name)}`,
      `Pipeline    ${String(raw.pipeline)} (prompt enhancer: docs/enhancer.md)`,
      'Files',
      ...files.map((f, i) => `  ${f.path}, ${formatSize(sizes[i] ?? 0)}`),
      `Files       ${files.length}, ${formatSize(sizes.reduce((a, b) => a + b, 0))}; ${unpinned ? `${unpinned} without bytes or sha256 in pack.json` : 'every size and sha256 holds'}`,
    ],
  };
}
