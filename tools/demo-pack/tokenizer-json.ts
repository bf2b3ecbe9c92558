/**
 * Writes a Hugging Face `tokenizer.json` (BERT-style WordPiece) for a generated vocabulary:
 * [PAD] and [UNK] plus any extra special tokens as added tokens (matched before normalisation,
 * like Qwen's ChatML markers), and optionally a TemplateProcessing post-processor that wraps
 * every encoding in BOS/EOS (CLIP) or appends EOS (T5/UMT5).
 */

export interface TokenizerOptions {
  /** Vocabulary entries that are special added tokens besides [PAD] and [UNK]. */
  special?: string[];
  /** Prepended to every encoding by the post-processor. */
  bos?: string;
  /** Appended to every encoding by the post-processor. */
  eos?: string;
}

function templateProcessing(vocab: string[], bos?: string, eos?: string): object | null {
  if (!bos && !eos) return null;
  const token = (t: string) => ({ SpecialToken: { id: t, type_id: 0 } });
  const sequence = (id: 'A' | 'B') => ({ Sequence: { id, type_id: 0 } });
  const wrap = (inner: object[]) => [...(bos ? [token(bos)] : []), ...inner, ...(eos ? [token(eos)] : [])];
  const specials = [bos, eos].filter((t): t is string => !!t);
  return {
    type: 'TemplateProcessing',
    single: wrap([sequence('A')]),
    pair: wrap([sequence('A'), sequence('B')]),
    special_tokens: Object.fromEntries(
      specials.map((t) => [t, { id: t, ids: [vocab.indexOf(t)], tokens: [t] }]),
    ),
  };
}

export function tokenizerJson(vocab: string[], opts: TokenizerOptions = {}): object {
  const special = (content: string) => {
    const id = vocab.indexOf(content);
    if (id < 0) throw new Error(`special token ${content} is not in the vocabulary`);
    return {
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    };
  };
  const specials = [
    ...new Set([
      '[PAD]',
      '[UNK]',
      ...(opts.special ?? []),
      ...[opts.bos, opts.eos].filter((t): t is string => !!t),
    ]),
  ];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: templateProcessing(vocab, opts.bos, opts.eos),
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((w, i) => [w, i])),
    },
  };
}
