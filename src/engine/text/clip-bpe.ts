/**
 * CLIP's BPE tokenizer built from the two files diffusers-style repositories publish
 * (`vocab.json` + `merges.txt`, no tokenizer.json: hf:schmuell/sd-turbo-ort-web,
 * stabilityai/sdxl-turbo). The files are turned into the tokenizer.json that Hugging Face's
 * converter writes for CLIPTokenizer, so @huggingface/tokenizers runs it: NFC, whitespace runs
 * → one space, lower case; CLIP's word regex, byte-level alphabet; BPE with the `</w>`
 * end-of-word suffix; `<|startoftext|>` … `<|endoftext|>` around the ids. The structure is the
 * one of microsoft/webnn-developer-preview:demos/sd-turbo/models/tokenizer/tokenizer.json.
 */
import { EngineError } from '../errors';

export const CLIP_BOS = '<|startoftext|>';
export const CLIP_EOS = '<|endoftext|>';

/** CLIP's pre-tokenizer: contractions, letter runs, single digits, other non-space runs. */
const CLIP_WORDS = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

const decoder = new TextDecoder();

/** vocab.json → token → id, with a message naming the file when it is not a JSON object of integers. */
export function parseClipVocab(bytes: Uint8Array, file: string): Record<string, number> {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new EngineError(
      'corrupt-model',
      `${file} is not valid JSON (${(err as Error).message}). Re-install the pack.`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new EngineError(
      'corrupt-model',
      `${file} must be a JSON object of token → id. Re-install the pack.`,
    );
  const vocab = raw as Record<string, unknown>;
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw new EngineError(
        'corrupt-model',
        `${file}: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, expected a non-negative integer. Re-install the pack.`,
      );
  }
  return vocab as Record<string, number>;
}

/** merges.txt → "a b" pairs in rank order (the `#version` header and blank lines skipped). */
export function parseClipMerges(bytes: Uint8Array, file: string): string[] {
  const lines = decoder
    .decode(bytes)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0 && !l.startsWith('#version'));
  const bad = lines.findIndex((l) => l.split(' ').length !== 2);
  if (bad >= 0)
    throw new EngineError(
      'corrupt-model',
      `${file}: merge "${lines[bad]}" is not two tokens separated by one space. Re-install the pack.`,
    );
  return lines;
}

/** The tokenizer.json of a CLIP tokenizer with this vocabulary and these merges. */
export function clipTokenizerJson(
  vocab: Record<string, number>,
  merges: string[],
  file = 'vocab.json',
): object {
  const id = (token: string) => {
    const v = vocab[token];
    if (v === undefined)
      throw new EngineError(
        'corrupt-model',
        `${file} has no ${token} token, which CLIP puts around every prompt. Re-install the pack, or check that it is a CLIP vocabulary.`,
      );
    return v;
  };
  const bos = id(CLIP_BOS);
  const eos = id(CLIP_EOS);
  const special = (content: string, tokenId: number) => ({
    id: tokenId,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(CLIP_BOS, bos), special(CLIP_EOS, eos)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_WORDS }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [CLIP_EOS, eos],
      cls: [CLIP_BOS, bos],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: CLIP_EOS,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
