/**
 * `webgp check` for the prompt enhancer's packs (pipeline `prompt-llm` or `image-captioner`,
 * docs/enhancer.md): their `llm` / `captioner` section parses, and the tokenizer and every graph
 * exist with the bytes and sha256 pack.json gives. Graph tensor names are checked when the
 * enhancer opens the pack, not here.
 */
import { captionerFiles, parseCaptionerSpec } from '../engine/enhancer/captioner-spec';
import { parseLlmSpec } from '../engine/enhancer/llm-spec';
import { errorCode } from '../engine/errors';
import { formatSize } from '../engine/format-size';
import type { CheckReport } from './check';
import { fileProblems, fileSize } from './pack-folder';

type FileRef = { path: string; bytes?: number; sha256?: string };
const ref = (g: { file: string; bytes?: number; sha256?: string }): FileRef => ({
  path: g.file,
  ...(g.bytes !== undefined ? { bytes: g.bytes } : {}),
  ...(g.sha256 !== undefined ? { sha256: g.sha256 } : {}),
});

/** The check report of an enhancer pack, or undefined when pack.json is not one. */
export async function checkEnhancerPack(dir: string, text: string): Promise<CheckReport | undefined> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (raw.pipeline !== 'prompt-llm' && raw.pipeline !== 'image-captioner') return undefined;
  let graphs: FileRef[];
  try {
    graphs =
      raw.pipeline === 'prompt-llm'
        ? [ref(parseLlmSpec(raw.llm))]
        : captionerFiles(parseCaptionerSpec(raw.captioner)).map(ref);
  } catch (err) {
    return { ok: false, lines: [`${errorCode(err) ?? 'invalid-manifest'}: ${(err as Error).message}`] };
  }
  const tok = raw.tokenizer as { file?: unknown; bytes?: number; sha256?: string } | undefined;
  if (!tok || typeof tok.file !== 'string')
    return { ok: false, lines: ['invalid-manifest: pack.json has no tokenizer.file'] };
  const files = [ref({ ...tok, file: tok.file }), ...graphs];
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
