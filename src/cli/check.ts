/**
 * `webgp check <folder>`, for people who make packs: validates pack.json (any pipeline), checks
 * every file exists with its bytes and sha256, and every graph against its contract (the same
 * engine code the app's install runs: verify-graphs.ts), reading files in slices. The report is
 * a summary of the pack (its limits including those its graphs impose) or one line per problem.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../engine/errors';
import { formatSize } from '../engine/format-size';
import { type AnyManifest, parseAnyManifestText } from '../engine/pack/any-manifest';
import { type ComponentSpec, componentGraphs } from '../engine/pack/components';
import { tightenLimits } from '../engine/pack/graph-limits';
import { parsePackHeader } from '../engine/pack/header';
import { manifestFiles } from '../engine/pack/pack-files';
import { checkPackGraphs } from '../engine/pack/verify-graphs';
import { checkEnhancerPack } from './check-enhancer';
import { fileProblems, fileSize, folderReader } from './pack-folder';

export interface CheckReport {
  ok: boolean;
  /** Summary lines when ok, else one line per problem ("code: message"). */
  lines: string[];
}

function summary(m: AnyManifest, sizes: Map<string, number>, derived: Record<string, unknown>): string[] {
  const lines = [`${m.id} ${m.version} — ${m.name}`, `Pipeline    ${m.pipeline}`, 'Components'];
  for (const [name, c] of Object.entries(m.components as Record<string, ComponentSpec | undefined>)) {
    if (!c) continue;
    const graphs = componentGraphs(c);
    const bytes = graphs.reduce(
      (n, g) =>
        n + (sizes.get(g.file) ?? 0) + g.externalData.reduce((k, x) => k + (sizes.get(x.file) ?? 0), 0),
      0,
    );
    const files =
      graphs.length === 1
        ? (graphs[0]?.file ?? '')
        : `${graphs.length} graphs (${graphs[0]?.file} … ${graphs[graphs.length - 1]?.file})`;
    lines.push(`  ${name.padEnd(18)} ${files}, ${formatSize(bytes)} (${c.dtype})`);
  }
  if (m.pipeline !== 'segment-points' && m.pipeline !== 'matting-memory') {
    const l = parsePackHeader(derived).limits;
    const from = (k: 'frames' | 'resolution') => (l.reasons?.[k] ? ` — ${l.reasons[k]}` : '');
    lines.push(
      'Limits',
      `  frames       ${l.frames ? l.frames.join(', ') : `1 to ${l.maxFrames}`}${from('frames')}`,
    );
    lines.push(
      `  steps        ${l.minSteps ?? 1} to ${l.maxSteps}${l.shift !== undefined ? `, shift fixed at ${l.shift}` : ''}`,
    );
    lines.push(`  resolutions  ${l.resolutions.join(', ')}${from('resolution')}`);
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  lines.push(`Files       ${sizes.size}, ${formatSize(total)}; every size, sha256 and graph contract holds`);
  return lines;
}

/** Checks the pack in `dir`. */
export async function checkPack(dir: string): Promise<CheckReport> {
  let text: string;
  try {
    text = await readFile(join(dir, 'pack.json'), 'utf8');
  } catch {
    return {
      ok: false,
      lines: [`missing-file: ${join(dir, 'pack.json')} does not exist: give the folder that holds pack.json`],
    };
  }
  const enhancer = await checkEnhancerPack(dir, text);
  if (enhancer) return enhancer;
  let m: AnyManifest;
  try {
    m = parseAnyManifestText(text, 'pack.json');
  } catch (err) {
    const fields = (err as { fields?: Record<string, string> }).fields;
    const code = errorCode(err) ?? 'invalid-manifest';
    return {
      ok: false,
      lines: fields
        ? Object.entries(fields).map(([k, v]) => `${code}: pack.json ${k}: ${v}`)
        : [`${code}: ${(err as Error).message}`],
    };
  }
  const problems = await fileProblems(dir, manifestFiles(m));
  const graphs = await checkPackGraphs(m, folderReader(dir));
  // A file the file pass already reported missing is not reported again by the graph check.
  const missing = new Set(problems.filter((p) => p.code === 'missing-file').map((p) => p.absent));
  problems.push(...graphs.problems.filter((p) => p.absent === undefined || !missing.has(p.absent)));
  if (problems.length)
    return { ok: false, lines: problems.map((p) => `${p.code}: ${p.message.replace(/\.+$/, '')}`) };
  const sizes = new Map<string, number>();
  for (const f of manifestFiles(m)) sizes.set(f.path, (await fileSize(dir, f.path)) ?? 0);
  const raw = JSON.parse(text) as Record<string, unknown>;
  return { ok: true, lines: summary(m, sizes, tightenLimits(raw, graphs.limits)) };
}
