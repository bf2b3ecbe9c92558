/**
 * Prompt → text-encoder hidden states, as the pack's tokenizer and text-encoder specs say:
 * ids as int64 or int32, or embeddings gathered in JS; an int64 0/1 mask, an additive float mask
 * [1, 1, 1, S] or none; padded positions zero-filled for consumers that take no mask: hidden
 * states [1, S, D] in a GPU buffer by the zero-fill graph on the device (nothing read back),
 * otherwise in JavaScript.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import type { TextEncoderSpec, TokenizerSpec } from '../pack/manifest';
import type { ComponentRunner } from '../pipeline/component-runner';
import { floatTensor, type OrtModule, type OrtSession, type OrtTensor, readFloats } from '../runtime';
import type { EmbeddingTable } from './embedding-table';
import { encodePrompt } from './tokenize';

/** fp16's most negative finite value: masks use it instead of −Inf (−Inf·0 is NaN in fp16 kernels). */
export const MASKED = -65504;

export interface TextEncoding {
  runner: ComponentRunner;
  tokenizer: Tokenizer;
  tokenizerSpec: TokenizerSpec;
  embedding?: EmbeddingTable;
  /** A session of the zero-fill graph (step-graph.ts) on the encoder's backend, for GPU-resident hidden states. */
  zeroFill?: OrtSession;
}

/** The encoder's hidden states, and its pooled embedding when the pack maps `outputs.pooled` (SDXL's `text_embeds`). */
export interface EncodedText {
  hidden: OrtTensor;
  pooled?: OrtTensor;
}

export async function encodeText(ort: OrtModule, enc: TextEncoding, text: string): Promise<OrtTensor> {
  return (await encodeTextOutputs(ort, enc, text)).hidden;
}

export async function encodeTextOutputs(
  ort: OrtModule,
  enc: TextEncoding,
  text: string,
): Promise<EncodedText> {
  const spec = enc.runner.spec as TextEncoderSpec;
  const t = enc.tokenizerSpec;
  const p = encodePrompt(enc.tokenizer, text, t.maxLength, t.padId, {
    padding: t.padding,
    chatTemplate: t.chatTemplate,
    truncation: t.truncation,
  });
  const s = p.ids.length;
  const inputs: Record<string, OrtTensor> = {};
  if (enc.embedding)
    inputs.inputsEmbeds = new ort.Tensor('float32', enc.embedding.lookup(p.ids), [1, s, enc.embedding.dim]);
  else
    inputs.inputIds =
      t.idsType === 'int32'
        ? new ort.Tensor('int32', Int32Array.from(p.ids, Number), [1, s])
        : new ort.Tensor('int64', p.ids, [1, s]);
  if (spec.mask === 'int64') inputs.attentionMask = new ort.Tensor('int64', p.mask, [1, s]);
  else if (spec.mask === 'additive')
    inputs.attentionMask = floatTensor(
      ort,
      'float32',
      Float32Array.from(p.mask, (m) => (m ? 0 : MASKED)),
      [1, 1, 1, s],
    );
  const out = await enc.runner.run(inputs);
  const hidden = out.hiddenStates as OrtTensor;
  const pooled = out.pooled ? { pooled: out.pooled } : {};
  if (!spec.zeroFillPadding || p.length >= s) return { hidden, ...pooled };
  const [one, rows] = hidden.dims;
  if (
    enc.zeroFill &&
    hidden.location === 'gpu-buffer' &&
    hidden.type === 'float32' &&
    one === 1 &&
    rows === s
  ) {
    const keep = new ort.Tensor(
      'float32',
      Float32Array.from({ length: s }, (_, i) => (i < p.length ? 1 : 0)),
      [1, s, 1],
    );
    const filled = (await enc.zeroFill.run({ x: hidden, keep })).out as OrtTensor;
    hidden.dispose();
    return { hidden: filled, ...pooled };
  }
  const data = (await readFloats(hidden)).slice();
  const width = data.length / s;
  data.fill(0, p.length * width);
  if (hidden.location === 'gpu-buffer') hidden.dispose();
  return { hidden: new ort.Tensor('float32', data, hidden.dims), ...pooled };
}
