/** The local prompt enhancer on the generated test-llm pack (onnxruntime-node): the exact enhanced
 * text, the KV cache fed step by step, streaming, seeded sampling, stop and abort, reset. */
import { describe, expect, it } from 'vitest';
import { decodeTokens } from '../../src/engine/enhancer/decode-loop';
import { localEnhancer } from '../../src/engine/enhancer/local-enhancer';
import { chat, type LocalLlm } from '../../src/engine/enhancer/local-llm';
import { openLlmPack } from '../../src/engine/enhancer/open-llm';
import { VIDEO_SYSTEM_PROMPT } from '../../src/engine/enhancer/system-prompt';
import type { OrtSession, OrtTensor } from '../../src/engine/runtime';
import {
  TEST_LLM_CONTINUATION,
  TEST_LLM_DIMS,
  TEST_LLM_ID,
  testLlmVocabulary,
} from '../../tools/test-packs/llm';
import { diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

const open = () => openLlmPack(ortNodeModule, diskPackSource(TEST_LLM_ID, TEST_PACKS_DIR), 'wasm');
const PROMPT = 'a red cat running on the beach';

/** Wraps session.run to record every call's feed shapes. */
function recording(llm: LocalLlm): {
  llm: LocalLlm;
  calls: Record<string, readonly number[]>[];
  values: Record<string, number[]>[];
} {
  const calls: Record<string, readonly number[]>[] = [];
  const values: Record<string, number[]>[] = [];
  const run = llm.session.run.bind(llm.session);
  const session = Object.create(llm.session) as OrtSession;
  session.run = ((feeds: Record<string, OrtTensor>) => {
    calls.push(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.dims])));
    values.push({
      position_ids: Array.from(feeds.position_ids?.data as BigInt64Array, Number),
      input_ids: Array.from(feeds.input_ids?.data as BigInt64Array, Number),
    });
    return run(feeds);
  }) as OrtSession['run'];
  return { llm: { ...llm, session }, calls, values };
}

describe('local LLM (test-llm pack)', () => {
  it('greedy decoding gives exactly the known continuation, streamed token by token', async () => {
    const llm = await open();
    const seen: [string, number][] = [];
    const text = await chat(ortNodeModule, llm, VIDEO_SYSTEM_PROMPT, PROMPT, {
      seed: 1,
      onText: (t, n) => seen.push([t, n]),
    });
    expect(text).toBe(TEST_LLM_CONTINUATION);
    expect(seen.map(([, n]) => n)).toEqual(Array.from({ length: 14 }, (_, k) => k + 1));
    expect(seen[0]?.[0]).toBe('cinematic');
    expect(seen.at(-1)?.[0]).toBe(TEST_LLM_CONTINUATION);
  });

  it('feeds the whole prompt once, then one token with the growing KV cache', async () => {
    const { llm, calls, values } = recording(await open());
    await chat(ortNodeModule, llm, 'system', PROMPT, { seed: 0, maxNewTokens: 4 });
    const { kvHeads, headDim } = TEST_LLM_DIMS;
    const promptLength = calls[0]?.input_ids?.[1] as number;
    expect(promptLength).toBeGreaterThan(8);
    expect(calls[0]?.['past_key_values.0.key']).toEqual([1, kvHeads, 0, headDim]);
    expect(values[0]?.position_ids).toEqual(Array.from({ length: promptLength }, (_, k) => k));
    // Four new tokens: the prompt step produced the first, three cached steps the rest.
    expect(calls).toHaveLength(4);
    for (let step = 1; step < 4; step++) {
      const past = promptLength + step - 1;
      expect(calls[step]?.input_ids).toEqual([1, 1]);
      expect(calls[step]?.attention_mask).toEqual([1, past + 1]);
      expect(calls[step]?.['past_key_values.1.value']).toEqual([1, kvHeads, past, headDim]);
      expect(values[step]?.position_ids).toEqual([past]);
    }
  });

  it('the graph consumes the cache: a mask that disagrees with the past length fails', async () => {
    const llm = await open();
    const ort = ortNodeModule;
    const { kvHeads, headDim } = TEST_LLM_DIMS;
    const past = new ort.Tensor('float32', new Float32Array(kvHeads * 3 * headDim), [1, kvHeads, 3, headDim]);
    const feeds: Record<string, OrtTensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from([5n]), [1, 1]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n]), [1, 2]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from([3n]), [1, 1]),
    };
    for (let i = 0; i < TEST_LLM_DIMS.layers; i++)
      feeds[`past_key_values.${i}.key`] = feeds[`past_key_values.${i}.value`] = past;
    await expect(llm.session.run(feeds)).rejects.toThrow();
    feeds.attention_mask = new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n, 1n]), [1, 4]);
    expect((await llm.session.run(feeds)).logits?.dims).toEqual([1, 1, testLlmVocabulary().length]);
  });

  it('sampling with a seed is reproducible and the seed matters', async () => {
    const llm = await open();
    const run = (seed: number) =>
      chat(ortNodeModule, llm, 'system', PROMPT, { seed, temperature: 4, maxNewTokens: 12 });
    const a = await run(7);
    expect(await run(7)).toBe(a);
    const others = [await run(8), await run(9)];
    expect(others.some((t) => t !== a)).toBe(true);
    expect(a).not.toBe(TEST_LLM_CONTINUATION);
  });

  it('stops at maxNewTokens and rejects with AbortError when cancelled', async () => {
    const llm = await open();
    expect(await chat(ortNodeModule, llm, 'system', PROMPT, { seed: 0, maxNewTokens: 3 })).toBe(
      'cinematic wide shot',
    );
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(
      decodeTokens(ortNodeModule, llm.session, llm.spec, [1, 2, 3], {
        maxNewTokens: 5,
        eosIds: [],
        signal: ctrl.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('local enhancer provider', () => {
  it('loads on first use, enhances, and releases on reset', async () => {
    let opened = 0;
    const enhancer = localEnhancer({ ort: ortNodeModule, openLlm: () => (opened++, open()) });
    expect(enhancer.loaded).toBe(false);
    expect(await enhancer.enhance({ prompt: PROMPT, mode: 'text', seed: 3 })).toBe(TEST_LLM_CONTINUATION);
    expect(
      await enhancer.enhance({ prompt: 'a dog', mode: 'text-image', seed: 3, imageCaption: 'a blue city' }),
    ).toBe(TEST_LLM_CONTINUATION);
    expect(opened).toBe(1);
    await enhancer.reset();
    expect(enhancer.loaded).toBe(false);
    await enhancer.prime();
    expect(opened).toBe(2);
  });

  it('Image mode without a caption fails with its own message', async () => {
    const enhancer = localEnhancer({ ort: ortNodeModule, openLlm: open });
    await expect(enhancer.enhance({ prompt: PROMPT, mode: 'image', seed: 0 })).rejects.toMatchObject({
      code: 'enhancer-failed',
      fields: { reason: 'no-caption' },
    });
  });
});

describe('the real LLM pack contract and its test mirror', () => {
  it('test-llm mirrors qwen2.5-0.5b-instruct: graph file, tokenizer kind, template, stop tokens, tensor names', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { parseLlmSpec } = await import('../../src/engine/enhancer/llm-spec');
    const real = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '..', '..', 'public', 'models', 'qwen2.5-0.5b-instruct', 'pack.json'),
        'utf8',
      ),
    ) as { pipeline: string; llm: unknown; tokenizer: { file: string } };
    const mirror = JSON.parse(readFileSync(join(TEST_PACKS_DIR, TEST_LLM_ID, 'pack.json'), 'utf8')) as {
      pipeline: string;
      llm: unknown;
      tokenizer: { file: string };
    };
    const r = parseLlmSpec(real.llm);
    const m = parseLlmSpec(mirror.llm);
    expect(mirror.pipeline).toBe(real.pipeline);
    expect(mirror.tokenizer.file).toBe(real.tokenizer.file);
    expect(r).toMatchObject({ layers: 24, kvHeads: 2, headDim: 64, kvDtype: 'float16' });
    expect({ file: m.file, eos: m.eos, chatTemplate: m.chatTemplate }).toEqual({
      file: r.file,
      eos: r.eos,
      chatTemplate: r.chatTemplate,
    });
    const llm = await open();
    const names = [...llm.session.inputNames].sort();
    const kv = (layers: number, prefix: string) =>
      Array.from({ length: layers }, (_, i) => [`${prefix}.${i}.key`, `${prefix}.${i}.value`]).flat();
    expect(names).toEqual(
      ['attention_mask', 'input_ids', 'position_ids', ...kv(m.layers, 'past_key_values')].sort(),
    );
    expect([...llm.session.outputNames].sort()).toEqual(['logits', ...kv(m.layers, 'present')].sort());
  });

  it('parseLlmSpec names each bad field', async () => {
    const { parseLlmSpec } = await import('../../src/engine/enhancer/llm-spec');
    expect(() => parseLlmSpec(undefined)).toThrow(/no llm section/);
    const template = { system: '{content}', user: '{content}', assistant: 'a' };
    expect(() =>
      parseLlmSpec({ file: 'a.onnx', layers: 0, kvDtype: 'float32', eos: ['x'], chatTemplate: template }),
    ).toThrow('pack.json llm.layers must be a positive integer.');
    expect(() =>
      parseLlmSpec({ file: 'a.onnx', layers: 1, kvHeads: 1, headDim: 1, kvDtype: 'int8' }),
    ).toThrow('llm.kvDtype must be float32 or float16');
    expect(() =>
      parseLlmSpec({
        file: 'a.onnx',
        layers: 1,
        kvHeads: 1,
        headDim: 1,
        kvDtype: 'float16',
        eos: ['x'],
        chatTemplate: { system: '{content}', user: 'no slot', assistant: 'a' },
        maxNewTokens: 1,
      }),
    ).toThrow('llm.user must contain {content}');
  });
});
