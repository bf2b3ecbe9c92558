/**
 * pack.json of the prompt enhancer's packs (pipeline `prompt-llm` or `image-captioner`,
 * docs/enhancer.md) as the installer, the folder import, the pack list and `webgp check` read
 * it: the identity fields, the `llm` / `captioner` section checked by its own parser, and the
 * files to fetch and verify — tokenizer.json and the graphs, each with the bytes and sha256
 * pack.json pins. The enhancer worker reads the same sections when it opens the pack.
 */
import { captionerFiles, parseCaptionerSpec } from '../enhancer/captioner-spec';
import { parseLlmSpec } from '../enhancer/llm-spec';
import { ENHANCER_PIPELINES, type PackHeader, PACK_SCHEMA, throwIfInvalid } from './header';
import type { PackFile } from './pack-files';
import { FieldErrors } from './validate-helpers';

export type EnhancerPipeline = (typeof ENHANCER_PIPELINES)[number];

/** The generation header's identity fields, with an enhancer pipeline and a plain file list. */
export interface EnhancerManifest extends Pick<
  PackHeader,
  'schema' | 'id' | 'version' | 'name' | 'description' | 'license' | 'demo'
> {
  pipeline: EnhancerPipeline;
  /** tokenizer.json first, then the graphs in load order. */
  files: PackFile[];
}

/** Whether parsed pack.json content names an enhancer pipeline. */
export function isEnhancerPipeline(pipeline: unknown): pipeline is EnhancerPipeline {
  return (ENHANCER_PIPELINES as readonly unknown[]).includes(pipeline);
}

type Pinned = { file: string; bytes?: number; sha256?: string };
const packFile = (g: Pinned): PackFile => ({
  path: g.file,
  ...(g.bytes !== undefined ? { bytes: g.bytes } : {}),
  ...(g.sha256 !== undefined ? { sha256: g.sha256 } : {}),
});

/** The tokenizer pack.json names, with what it pins; problems recorded in `e`. */
function tokenizerFile(e: FieldErrors, v: unknown): PackFile | undefined {
  const t = e.object(v, 'tokenizer');
  if (!t) return undefined;
  const file = e.string(t.file, 'tokenizer.file');
  const bytes = e.number(t.bytes, 'tokenizer.bytes', { min: 0, integer: true, optional: true });
  const sha256 = e.string(t.sha256, 'tokenizer.sha256', { optional: true });
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256))
    e.add('tokenizer.sha256', 'expected 64 lowercase hex digits');
  return file ? packFile({ file, bytes, sha256 }) : undefined;
}

/**
 * Validates an enhancer pack's pack.json; throws EngineError('invalid-manifest') naming every bad
 * identity or tokenizer field, or the first bad field of its `llm` / `captioner` section.
 */
export function parseEnhancerManifest(raw: unknown, source = 'pack.json'): EnhancerManifest {
  const e = new FieldErrors();
  const m = e.object(raw, '(root)') ?? {};
  if (m.schema !== PACK_SCHEMA) e.add('schema', `expected "${PACK_SCHEMA}"`);
  const pipeline = e.string(m.pipeline, 'pipeline', { oneOf: ENHANCER_PIPELINES }) as
    EnhancerPipeline | undefined;
  const header = {
    id: e.string(m.id, 'id') ?? '',
    version: e.string(m.version, 'version') ?? '',
    name: e.string(m.name, 'name') ?? '',
    license: e.string(m.license, 'license') ?? '',
  };
  const tokenizer = tokenizerFile(e, m.tokenizer);
  throwIfInvalid(e, source);
  const graphs =
    pipeline === 'prompt-llm' ? [parseLlmSpec(m.llm)] : captionerFiles(parseCaptionerSpec(m.captioner));
  const files = [tokenizer as PackFile];
  for (const g of graphs.map(packFile)) if (!files.some((f) => f.path === g.path)) files.push(g);
  return {
    schema: PACK_SCHEMA,
    ...header,
    description: typeof m.description === 'string' ? m.description : '',
    demo: m.demo === true,
    pipeline: pipeline as EnhancerPipeline,
    files,
  };
}
