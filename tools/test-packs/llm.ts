/**
 * test-llm: a tiny prompt-enhancer LLM pack with the file layout and I/O contract of
 * onnx-community/Qwen2.5-0.5B-Instruct (REAL_PACKS §6: onnx/model_q4f16.onnx, tokenizer.json at the root, ChatML template,
 * stop on <|im_end|>) at tiny dims, whose greedy decoding after any chat prompt spells
 * TEST_LLM_CONTINUATION. Its KV cache is float32 (the real q4f16 export's is float16; SwiftShader
 * has no shader-f16). Not a generation pack: pack.json has pipeline `prompt-llm` and an `llm` section.
 */
import { parseLlmSpec } from '../../src/engine/enhancer/llm-spec';
import { PACK_SCHEMA } from '../../src/engine/pack/manifest';
import { PackFolder } from '../demo-pack/pack-folder';
import { tokenizerJson } from '../demo-pack/tokenizer-json';
import { tinyLlm } from './llm-graph';

export const TEST_LLM_ID = 'test-llm';
/** What greedy decoding answers to any prompt (the decoded text, WordPiece-joined). */
export const TEST_LLM_CONTINUATION = 'cinematic wide shot of the scene at golden hour, slow dolly forward.';
const CONTINUATION_TOKENS = ['cinematic', 'wide', 'shot', 'of', 'the', 'scene', 'at', 'golden', 'hour', ',', 'slow', 'dolly', 'forward', '.'];
const SPECIAL = ['<|im_start|>', '<|im_end|>', '<|endoftext|>'];
const EXTRA = ['system', 'user', 'assistant', 'a', 'cat', 'dog', 'red', 'blue', 'green', 'running', 'on', 'in', 'beach', 'city', 'image', 'start', 'idea', ':'];
export const TEST_LLM_DIMS = { layers: 2, kvHeads: 2, headDim: 4, maxPositions: 1024 };

export const QWEN_CHAT_TEMPLATE = {
  system: '<|im_start|>system\n{content}<|im_end|>\n',
  user: '<|im_start|>user\n{content}<|im_end|>\n',
  assistant: '<|im_start|>assistant\n',
};

export function testLlmVocabulary(): string[] {
  return [...new Set(['[PAD]', '[UNK]', ...SPECIAL, ...EXTRA, ...CONTINUATION_TOKENS])];
}

/** next(t): the continuation after the assistant marker, then <|im_end|>; every other token → cinematic. */
export function testLlmSuccessors(vocab: string[]): number[] {
  const id = (t: string) => vocab.indexOf(t);
  const next = vocab.map(() => id(CONTINUATION_TOKENS[0] as string));
  const chain = ['assistant', ...CONTINUATION_TOKENS, '<|im_end|>'];
  for (let k = 0; k + 1 < chain.length; k++) next[id(chain[k] as string)] = id(chain[k + 1] as string);
  next[id('<|im_end|>')] = id('<|endoftext|>');
  return next;
}

export function writeTestLlmPack(dir: string): void {
  const folder = new PackFolder(dir, true);
  const vocab = testLlmVocabulary();
  const tokenizer = folder.write('tokenizer.json', JSON.stringify(tokenizerJson(vocab, { special: SPECIAL })));
  const model = folder.write('onnx/model_q4f16.onnx', tinyLlm({ vocab: vocab.length, ...TEST_LLM_DIMS }, testLlmSuccessors(vocab)));
  const llm = { file: 'onnx/model_q4f16.onnx', ...model, layers: TEST_LLM_DIMS.layers, kvHeads: TEST_LLM_DIMS.kvHeads, headDim: TEST_LLM_DIMS.headDim, kvDtype: 'float32', eos: ['<|im_end|>', '<|endoftext|>'], chatTemplate: QWEN_CHAT_TEMPLATE, maxNewTokens: 64 };
  parseLlmSpec(llm);
  folder.writeManifest({
    schema: PACK_SCHEMA,
    id: TEST_LLM_ID,
    version: '1.0.0',
    name: 'Test pack: prompt-enhancer LLM (Qwen2.5-0.5B-Instruct contract)',
    description: `Tiny decoder-only graph with the transformers.js I/O of onnx-community/Qwen2.5-0.5B-Instruct (float32 KV); greedy decoding answers "${TEST_LLM_CONTINUATION}".`,
    license: 'MIT',
    demo: true,
    pipeline: 'prompt-llm',
    tokenizer: { file: 'tokenizer.json', ...tokenizer },
    llm,
  });
}
