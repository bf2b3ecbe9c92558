/**
 * The tokenizer section of a runnable pack.json: a Hugging Face tokenizer.json or CLIP's vocab +
 * merges files, with padding, truncation and the chat template the prompt is wrapped in.
 * Documented in docs/pack-format.md ("tokenizer").
 */
import { checkPackPath, fileIntegrity } from './components';
import { FieldErrors, oneOf } from './validate-helpers';

/** One file a tokenizer reads, with its optional integrity. */
export interface TokenizerFileSpec {
  file: string;
  bytes?: number;
  sha256?: string;
  /** Absolute URL the file comes from instead of the pack folder (bytes and sha256 then pinned). */
  url?: string;
}

export const TOKENIZER_FORMATS = ['tokenizer-json', 'clip-bpe'] as const;

export interface TokenizerSpec {
  /** `tokenizer-json` (the default when absent): a Hugging Face tokenizer.json in `file`; `clip-bpe`: CLIP's `vocab` + `merges` files. */
  format?: (typeof TOKENIZER_FORMATS)[number];
  /** The tokenizer.json (`tokenizer-json`; empty for `clip-bpe`). */
  file: string;
  bytes?: number;
  sha256?: string;
  /** Absolute URL the tokenizer.json comes from instead of the pack folder (bytes and sha256 then pinned). */
  url?: string;
  /** `clip-bpe`: vocab.json (token → id) and merges.txt. */
  vocab?: TokenizerFileSpec;
  merges?: TokenizerFileSpec;
  maxLength: number;
  padId: number;
  /** `max-length` pads to maxLength (mask 0 on padding); `none` feeds only the real tokens. */
  padding: 'max-length' | 'none';
  /** Wraps the prompt before tokenizing; `{prompt}` marks where it goes (Z-Image's ChatML turn). */
  chatTemplate?: string;
  idsType: 'int64' | 'int32';
  /** How an over-long prompt is cut (see text/tokenize.ts): `ids` (default) or `keep-special`. */
  truncation?: 'ids' | 'keep-special';
}

function tokenizerFile(e: FieldErrors, v: unknown, path: string): TokenizerFileSpec {
  const o = e.object(v, path) ?? {};
  return { file: checkPackPath(e, o.file, `${path}.file`) ?? '', ...fileIntegrity(e, o, path) };
}

/** pack.json's `tokenizer` (or `tokenizer2`) section, every wrong field reported by path. */
export function parseTokenizerSpec(e: FieldErrors, v: unknown, path = 'tokenizer'): TokenizerSpec {
  const t = e.object(v, path) ?? {};
  const chatTemplate = e.string(t.chatTemplate, `${path}.chatTemplate`, { optional: true });
  if (chatTemplate !== undefined && !chatTemplate.includes('{prompt}'))
    e.add(`${path}.chatTemplate`, 'must contain {prompt}');
  const format = oneOf(e, t.format, `${path}.format`, TOKENIZER_FORMATS, 'tokenizer-json');
  const clip = format === 'clip-bpe';
  if (clip && t.file !== undefined)
    e.add(`${path}.file`, 'a clip-bpe tokenizer reads vocab and merges, not a tokenizer.json: remove file');
  for (const key of ['vocab', 'merges'])
    if (!clip && t[key] !== undefined) e.add(`${path}.${key}`, 'only read by format "clip-bpe"');
  return {
    format,
    file: clip ? '' : (checkPackPath(e, t.file, `${path}.file`) ?? ''),
    ...(clip ? {} : fileIntegrity(e, t, path)),
    ...(clip
      ? {
          vocab: tokenizerFile(e, t.vocab, `${path}.vocab`),
          merges: tokenizerFile(e, t.merges, `${path}.merges`),
        }
      : {}),
    maxLength: e.number(t.maxLength, `${path}.maxLength`, { min: 1, max: 4096, integer: true }) ?? 1,
    padId: e.number(t.padId, `${path}.padId`, { min: 0, integer: true }) ?? 0,
    padding: oneOf(e, t.padding, `${path}.padding`, ['max-length', 'none'] as const, 'max-length'),
    ...(chatTemplate !== undefined ? { chatTemplate } : {}),
    idsType: oneOf(e, t.idsType, `${path}.idsType`, ['int64', 'int32'] as const, 'int64'),
    // CLIP keeps its end token last on an over-long prompt (transformers' CLIPTokenizer; SDXL pools at it).
    truncation: oneOf(
      e,
      t.truncation,
      `${path}.truncation`,
      ['ids', 'keep-special'] as const,
      clip ? 'keep-special' : 'ids',
    ),
  };
}

/** The files a tokenizer reads: its tokenizer.json, or CLIP's vocab.json and merges.txt. */
export function tokenizerFiles(t: TokenizerSpec): TokenizerFileSpec[] {
  if (t.format === 'clip-bpe')
    return [t.vocab, t.merges].filter((f): f is TokenizerFileSpec => f !== undefined);
  return [
    {
      file: t.file,
      ...(t.bytes !== undefined ? { bytes: t.bytes } : {}),
      ...(t.sha256 !== undefined ? { sha256: t.sha256 } : {}),
      ...(t.url !== undefined ? { url: t.url } : {}),
    },
  ];
}
