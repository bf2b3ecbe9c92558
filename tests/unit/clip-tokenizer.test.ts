/**
 * CLIP BPE from vocab.json + merges.txt (pack.json `tokenizer.format: "clip-bpe"`): the real ids
 * of known sentences (an excerpt of the real vocabulary, tests/helpers/clip-excerpt.ts), EOS kept
 * when truncating, padding, and a specific error for each bad file or field.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseManifest, type TokenizerSpec } from '../../src/engine/pack/manifest';
import { manifestFiles } from '../../src/engine/pack/pack-files';
import type { PackSource } from '../../src/engine/pack/pack-source';
import { readPackTokenizer } from '../../src/engine/text/load-tokenizer';
import { encodePrompt } from '../../src/engine/text/tokenize';
import { CLIP_MERGES_EXCERPT, CLIP_VOCAB_EXCERPT } from '../helpers/clip-excerpt';
import { rejection, thrown } from '../helpers/errors';
import { readManifest, readPackFile } from '../helpers/test-packs';

const enc = new TextEncoder();
const VOCAB = enc.encode(JSON.stringify(CLIP_VOCAB_EXCERPT));
const MERGES = enc.encode(`#version: 0.2\n${CLIP_MERGES_EXCERPT.join('\n')}\n`);

function memorySource(files: Record<string, Uint8Array>): PackSource {
  const read = async (f: string) => {
    const bytes = files[f];
    if (!bytes) throw new Error(`no ${f}`);
    return bytes;
  };
  return {
    label: 'memory',
    readBytes: read,
    readBlob: async (f) => new Blob([(await read(f)) as Uint8Array<ArrayBuffer>]),
  };
}

const SPEC: TokenizerSpec = {
  format: 'clip-bpe',
  file: '',
  vocab: { file: 'tokenizer/vocab.json' },
  merges: { file: 'tokenizer/merges.txt' },
  maxLength: 77,
  padId: 0,
  padding: 'none',
  idsType: 'int32',
};
const clip = (
  files: Record<string, Uint8Array> = { 'tokenizer/vocab.json': VOCAB, 'tokenizer/merges.txt': MERGES },
  over: Partial<TokenizerSpec> = {},
) => readPackTokenizer(memorySource(files), { ...SPEC, ...over });

describe('CLIP BPE tokenizer from vocab.json + merges.txt', () => {
  it('gives the real CLIP ids: BOS 49406, words with </w>, EOS 49407', async () => {
    const tok = await clip();
    // openai/clip-vit-base-patch32 ids, e.g. elixir-nx/bumblebee's ClipTokenizerTest; the full files give the same.
    expect(tok.encode('a photo of a cat').ids).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(tok.encode('a photo of a dog').ids).toEqual([49406, 320, 1125, 539, 320, 1929, 49407]);
    // Case and repeated spaces are normalised; "!" is its own token; "'t" splits off; digits are single tokens.
    expect(tok.encode('A PHOTO of  a Cat!').ids).toEqual([49406, 320, 1125, 539, 320, 2368, 256, 49407]);
    expect(tok.encode('Hello, world!').ids).toEqual([49406, 3306, 267, 1002, 256, 49407]);
    expect(tok.encode("don't stop 42 times").ids).toEqual([49406, 847, 713, 1691, 275, 273, 1661, 49407]);
    expect(tok.encode('').ids).toEqual([49406, 49407]);
  });

  it('pads with the pack pad id, or feeds only the real tokens, and keeps EOS when truncating', async () => {
    const tok = await clip();
    expect([...encodePrompt(tok, 'a photo of a cat', 10, 0).ids]).toEqual(
      [49406, 320, 1125, 539, 320, 2368, 49407, 0, 0, 0].map(BigInt),
    );
    expect([...encodePrompt(tok, 'a photo of a cat', 10, 49407).mask]).toEqual(
      [1, 1, 1, 1, 1, 1, 1, 0, 0, 0].map(BigInt),
    );
    const unpadded = encodePrompt(tok, 'a photo of a cat', 77, 0, { padding: 'none' });
    expect(unpadded.ids).toHaveLength(7);
    expect([...encodePrompt(tok, 'a photo of a cat', 5, 0, { truncation: 'keep-special' }).ids]).toEqual(
      [49406, 320, 1125, 539, 49407].map(BigInt),
    );
    expect([...encodePrompt(tok, 'a photo of a cat', 5, 0).ids]).toEqual(
      [49406, 320, 1125, 539, 320].map(BigInt),
    );
  });

  it('checks the files against pack.json and names what is wrong with them', async () => {
    const sha = createHash('sha256').update(MERGES).digest('hex');
    await expect(
      clip(undefined, { merges: { file: 'tokenizer/merges.txt', bytes: MERGES.byteLength, sha256: sha } }),
    ).resolves.toBeDefined();
    const short = await rejection(
      clip(undefined, { vocab: { file: 'tokenizer/vocab.json', bytes: VOCAB.byteLength + 1 } }),
    );
    expect([short.code, short.message]).toEqual([
      'corrupt-model',
      expect.stringContaining(
        `tokenizer/vocab.json is ${VOCAB.byteLength} bytes but the pack says ${VOCAB.byteLength + 1}`,
      ),
    ]);
    const noBos = { ...CLIP_VOCAB_EXCERPT } as Record<string, number>;
    delete noBos['<|startoftext|>'];
    const missing = await rejection(
      clip({ 'tokenizer/vocab.json': enc.encode(JSON.stringify(noBos)), 'tokenizer/merges.txt': MERGES }),
    );
    expect(missing.message).toMatch(/tokenizer\/vocab\.json has no <\|startoftext\|> token/);
    const badId = await rejection(
      clip({ 'tokenizer/vocab.json': enc.encode('{"a": "x"}'), 'tokenizer/merges.txt': MERGES }),
    );
    expect(badId.message).toMatch(/token "a" has id "x", expected a non-negative integer/);
    const notJson = await rejection(
      clip({ 'tokenizer/vocab.json': enc.encode('[1'), 'tokenizer/merges.txt': MERGES }),
    );
    expect(notJson.message).toMatch(/tokenizer\/vocab\.json is not valid JSON/);
    const badMerge = await rejection(
      clip({ 'tokenizer/vocab.json': VOCAB, 'tokenizer/merges.txt': enc.encode('#version: 0.2\np h o\n') }),
    );
    expect([badMerge.code, badMerge.message]).toEqual([
      'corrupt-model',
      expect.stringContaining('tokenizer/merges.txt: merge "p h o" is not two tokens'),
    ]);
  });

  it('pack.json: clip-bpe needs vocab and merges (listed for download with their integrity), not a tokenizer.json', () => {
    const m = readManifest('test-sdturbo');
    expect(
      manifestFiles(m)
        .slice(0, 2)
        .map((f) => f.path),
    ).toEqual(['tokenizer/vocab.json', 'tokenizer/merges.txt']);
    expect(manifestFiles(m)[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const raw = JSON.parse(new TextDecoder().decode(readPackFile('test-sdturbo', 'pack.json'))) as {
      tokenizer: Record<string, unknown>;
    };
    const withFile = { ...raw, tokenizer: { ...raw.tokenizer, file: 'tokenizer/tokenizer.json' } };
    expect(thrown(() => parseManifest(withFile)).message).toContain(
      'tokenizer.file: a clip-bpe tokenizer reads vocab and merges',
    );
    const noMerges = { ...raw.tokenizer, merges: undefined };
    expect(thrown(() => parseManifest({ ...raw, tokenizer: noMerges })).message).toContain(
      'tokenizer.merges: expected an object',
    );
    const plain = { ...raw, tokenizer: { ...raw.tokenizer, format: undefined, file: 'tokenizer.json' } };
    expect(thrown(() => parseManifest(plain)).message).toContain(
      'tokenizer.vocab: only read by format "clip-bpe"',
    );
    expect(
      thrown(() => parseManifest({ ...raw, tokenizer: { ...raw.tokenizer, format: 'sentencepiece' } }))
        .message,
    ).toContain(
      'tokenizer.format: "sentencepiece" is not supported. Should be one of: tokenizer-json, clip-bpe',
    );
  });
});
