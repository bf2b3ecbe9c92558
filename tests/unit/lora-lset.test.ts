/** WanGP `.lset` presets (validation, WanGP's prompt rule, missing LoRAs) and the library's LoRA summary (rank, family, matched/unmatched keys). */
import { describe, expect, it } from 'vitest';
import { summariseLora } from '../../src/engine/lora/analyse';
import { lsetText, missingLoras, parseLset, presetPrompt } from '../../src/engine/lora/lset';
import { parseSafetensors } from '../../src/engine/lora/safetensors';
import { TEST_LORA } from '../../tools/demo-pack/manifests';
import { testLoraFiles } from '../../tools/test-loras/index';
import { thrown } from '../helpers/errors';

describe('.lset presets', () => {
  const preset = {
    loras: ['a.safetensors', 'b.safetensors'],
    loras_mult: '1 0.5,0',
    prompt: 'in ink',
    full_prompt: false,
    extra: { kept: [1, 2] },
  };

  it('round-trips every key and value, unknown ones included', () => {
    expect(JSON.parse(lsetText(parseLset(JSON.stringify(preset), 'p.lset')))).toEqual(preset);
  });

  it.each([
    ['[]', 'it must be a JSON object with "loras" and "loras_mult"'],
    ['{"loras": "a", "loras_mult": ""}', '"loras" must be a list of LoRA file names'],
    ['{"loras": ["a"]}', '"loras_mult" must be a string of multipliers (e.g. "1 0.5")'],
    ['{"loras": ["a"], "loras_mult": "1", "full_prompt": "yes"}', '"full_prompt" must be true or false'],
    [
      '{"loras": ["a"], "loras_mult": "1 2"}',
      '"loras_mult": The LoRA multipliers give 2 values but 1 LoRA is selected: remove the extra ones',
    ],
  ])('refuses %s', (text, why) => {
    const err = thrown(() => parseLset(text, 'bad.lset'));
    expect(err.code).toBe('invalid-lora');
    expect(err.message).toBe(`bad.lset is not a valid LoRA preset: ${why}.`);
  });

  it('applies the prompt as WanGP: full_prompt replaces it, otherwise the preset prompt goes first and # lines are dropped', () => {
    expect(presetPrompt({ ...preset, full_prompt: true }, 'mine')).toBe('in ink');
    expect(presetPrompt(preset, 'a cat\n\n# note\r\non a roof')).toBe('in ink\na cat\non a roof');
    expect(presetPrompt({ ...preset, prompt: '' }, 'mine')).toBe('mine');
    expect(missingLoras(preset, ['a.safetensors'])).toEqual(['b.safetensors']);
  });
});

describe('LoRA summary for the library', () => {
  it('finds rank, the best-matching pack family, and the matched and unmatched keys', async () => {
    const files = testLoraFiles();
    const header = await parseSafetensors(files['test-style.safetensors']!, 'test-style.safetensors');
    const other = {
      packId: 'other',
      lora: { family: 'wan', targets: { 'blocks.0.ffn.0': { initializer: 'x', layout: 'in-out' as const } } },
    };
    const s = summariseLora(header, [other, { packId: 'test-t2v-random', lora: TEST_LORA }]);
    expect(s).toEqual({
      rank: 2,
      format: 'LoRA',
      family: 'webgp-test',
      packId: 'test-t2v-random',
      matched: 7,
      unmatched: [
        'diffusion_model.blocks.9.cross_attn.q.lora_A.weight',
        'diffusion_model.blocks.9.cross_attn.q.lora_B.weight',
      ],
    });
    const diff = summariseLora(await parseSafetensors(files['test-diff.safetensors']!, 'd'), []);
    expect(diff).toEqual({
      rank: 0,
      format: 'full delta',
      matched: 0,
      unmatched: ['diffusion_model.blocks.0.ffn.0.diff'],
    });
  });
});
