/**
 * A pack's tokenizer from its files, as pack.json's `tokenizer` says: a Hugging Face
 * tokenizer.json, or CLIP's vocab.json + merges.txt turned into one (./clip-bpe.ts). Sizes and
 * hashes pack.json gives are checked; an unreadable file is `corrupt-model`.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from '../errors';
import type { TokenizerSpec } from '../pack/manifest';
import { type PackSource, verifyFile } from '../pack/pack-source';
import { clipTokenizerJson, parseClipMerges, parseClipVocab } from './clip-bpe';
import { loadTokenizer } from './tokenize';

const decoder = new TextDecoder();

async function readChecked(
  source: PackSource,
  f: { file: string; bytes?: number; sha256?: string },
): Promise<Uint8Array> {
  const bytes = await source.readBytes(f.file);
  await verifyFile(f.file, bytes, f);
  return bytes;
}

export async function readPackTokenizer(source: PackSource, spec: TokenizerSpec): Promise<Tokenizer> {
  if (spec.format === 'clip-bpe' && spec.vocab && spec.merges) {
    const vocab = parseClipVocab(await readChecked(source, spec.vocab), spec.vocab.file);
    const merges = parseClipMerges(await readChecked(source, spec.merges), spec.merges.file);
    return loadTokenizer(clipTokenizerJson(vocab, merges, spec.vocab.file), spec.maxLength);
  }
  const bytes = await readChecked(source, spec);
  try {
    return loadTokenizer(JSON.parse(decoder.decode(bytes)) as object, spec.maxLength);
  } catch (err) {
    throw new EngineError(
      'corrupt-model',
      `Could not read ${spec.file}: ${(err as Error).message}. Re-install the pack.`,
    );
  }
}
