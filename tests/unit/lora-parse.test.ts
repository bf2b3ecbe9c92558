/** LoRA files: safetensors header validation, key conventions mapped onto a pack's modules, and the WanGP multiplier syntax. */
import { describe, expect, it } from 'vitest';
import { mapKeys, matchedKeyCount, splitKey } from '../../src/engine/lora/keys';
import {
  changeSteps,
  multipliersPerStep,
  parseMultipliers,
  stepPhases,
} from '../../src/engine/lora/multipliers';
import { parseSafetensors, tensorFloats } from '../../src/engine/lora/safetensors';
import { diffTensor, lowRankTensors, testLoraFiles, testPairs } from '../../tools/test-loras/index';
import { encodeSafetensors } from '../../tools/test-loras/safetensors-writer';
import { rejection, thrown } from '../helpers/errors';

const MODULES = ['blocks.0.ffn.0', 'blocks.0.ffn.2', 'text_embedding.0', 'blocks.0.self_attn.q'];
const files = testLoraFiles();

describe('safetensors header', () => {
  it('reads names, dtypes, shapes and values of F32, F16 and BF16 tensors', async () => {
    for (const [file, dtype] of [
      ['test-style.safetensors', 'F32'],
      ['test-style-kohya.safetensors', 'F16'],
      ['test-style-peft.safetensors', 'BF16'],
    ] as const) {
      const bytes = files[file] as Uint8Array;
      const h = await parseSafetensors(bytes, file);
      const down = h.tensors.find((t) => t.name.includes('ffn.0') || t.name.includes('ffn_0'))!;
      expect(down.dtype).toBe(dtype);
      expect(down.shape).toEqual([2, 4]);
      expect(Array.from(tensorFloats(bytes, h, down))).toEqual(Array.from(testPairs()[0]!.down));
    }
  });

  it.each([
    ['bad-truncated.safetensors', /truncated/],
    ['bad-lying-header.safetensors', /needs 32 bytes but its data_offsets span 48/],
    [
      'bad-dtype.safetensors',
      /tensor "diffusion_model\.blocks\.0\.ffn\.0\.lora_A\.weight" has dtype I32; WebGP reads F32, F16, BF16/,
    ],
  ])('refuses %s with a message naming the problem', async (file, message) => {
    const err = await rejection(parseSafetensors(files[file] as Uint8Array, file));
    expect(err.code).toBe('invalid-lora');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(message);
  });

  it('refuses a header length past the end, a non-object header, and overlapping tensors', async () => {
    const short = new Uint8Array(16);
    new DataView(short.buffer).setBigUint64(0, 1000n, true);
    expect((await rejection(parseSafetensors(short, 'a.safetensors'))).message).toMatch(
      /header claims 1000 bytes but the file has 8/,
    );
    expect((await rejection(parseSafetensors(new Uint8Array(4), 'b.safetensors'))).message).toMatch(
      /shorter than the 8-byte header length/,
    );
    const arr = encodeSafetensors([]);
    const text = new TextEncoder().encode('[1,2]   ');
    const notObject = new Uint8Array(8 + text.length);
    new DataView(notObject.buffer).setBigUint64(0, BigInt(text.length), true);
    notObject.set(text, 8);
    expect((await rejection(parseSafetensors(notObject, 'c.safetensors'))).message).toMatch(
      /not a JSON object/,
    );
    expect((await rejection(parseSafetensors(arr, 'd.safetensors'))).message).toMatch(/holds no tensors/);
    const two = encodeSafetensors([
      { name: 'x', dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) },
      { name: 'y', dtype: 'F32', shape: [2], data: Float32Array.of(3, 4) },
    ]);
    const json = new TextDecoder().decode(
      two.subarray(8, 8 + Number(new DataView(two.buffer).getBigUint64(0, true))),
    );
    const overlapped = json.replace('"data_offsets":[8,16]', '"data_offsets":[4,12]');
    const o = new Uint8Array(two);
    o.set(new TextEncoder().encode(overlapped), 8);
    expect((await rejection(parseSafetensors(o, 'e.safetensors'))).message).toMatch(
      /tensors "x" and "y" overlap/,
    );
  });
});

describe('LoRA key conventions', () => {
  it.each([
    ['diffusion_model.blocks.0.ffn.0.lora_A.weight', 'blocks.0.ffn.0', 'down'],
    ['transformer.blocks.0.ffn.0.lora_B.weight', 'blocks.0.ffn.0', 'up'],
    ['base_model.model.blocks.0.ffn.0.lora_A.default.weight', 'blocks.0.ffn.0', 'down'],
    ['model.diffusion_model.blocks.0.ffn.2.lora_down.weight', 'blocks.0.ffn.2', 'down'],
    ['blocks.0.ffn.2.lora_up.weight', 'blocks.0.ffn.2', 'up'],
    ['diffusion_model.blocks.0.ffn.2.alpha', 'blocks.0.ffn.2', 'alpha'],
    ['diffusion_model.text_embedding.0.diff', 'text_embedding.0', 'diff'],
    ['diffusion_model.text_embedding.0.diff_b', 'text_embedding.0', 'diff_b'],
  ])('%s → %s (%s)', (key, module, part) => {
    expect(splitKey(key)).toEqual({ module, part });
  });

  it('maps kohya lora_unet_ names back to dotted modules by matching the pack', () => {
    const m = mapKeys(
      [
        'lora_unet_blocks_0_self_attn_q.lora_down.weight',
        'lora_unet_blocks_0_self_attn_q.lora_up.weight',
        'lora_unet_blocks_0_self_attn_q.alpha',
      ],
      MODULES,
    );
    expect([...m.modules.entries()]).toEqual([
      [
        'blocks.0.self_attn.q',
        {
          down: 'lora_unet_blocks_0_self_attn_q.lora_down.weight',
          up: 'lora_unet_blocks_0_self_attn_q.lora_up.weight',
          alpha: 'lora_unet_blocks_0_self_attn_q.alpha',
        },
      ],
    ]);
    expect(m.unmatched).toEqual([]);
  });

  it('every generated convention maps all 3 modules; foreign modules, unknown parts and lone halves are reported, not dropped', () => {
    for (const c of ['diffusers', 'kohya', 'peft'] as const) {
      const m = mapKeys(
        lowRankTensors(testPairs(), c).map((t) => t.name),
        MODULES,
      );
      expect([...m.modules.keys()].sort()).toEqual(['blocks.0.ffn.0', 'blocks.0.ffn.2', 'text_embedding.0']);
      expect(matchedKeyCount(m)).toBe(7);
      expect(m.unmatched).toEqual([]);
    }
    const m = mapKeys(
      [
        'diffusion_model.blocks.9.ffn.0.lora_A.weight',
        'blocks.0.ffn.0.lora_A.weight',
        'blocks.0.ffn.2.norm.weight',
        diffTensor().name,
      ],
      MODULES,
    );
    expect(m.unmatched.sort()).toEqual([
      'blocks.0.ffn.0.lora_A.weight',
      'blocks.0.ffn.2.norm.weight',
      'diffusion_model.blocks.9.ffn.0.lora_A.weight',
    ]);
    expect([...m.modules.keys()]).toEqual(['blocks.0.ffn.0']);
  });
});

describe('WanGP multipliers', () => {
  it('spaces separate LoRAs, commas spread a schedule evenly over the steps, missing entries are 1', () => {
    const p = parseMultipliers('0.5  1,0,0.25', 3);
    expect(p.loras).toEqual([[[0.5]], [[1, 0, 0.25]]]);
    const per = multipliersPerStep(p, 3, stepPhases(6));
    expect(per).toEqual([
      [0.5, 1, 1],
      [0.5, 1, 1],
      [0.5, 0, 1],
      [0.5, 0, 1],
      [0.5, 0.25, 1],
      [0.5, 0.25, 1],
    ]);
    expect(changeSteps(per)).toEqual([0, 2, 4]);
  });

  it('; splits by guidance phase; a one-phase value applies to both phases', () => {
    const per = multipliersPerStep(parseMultipliers('1;0 0.5'), 2, stepPhases(4, 2));
    expect(per).toEqual([
      [1, 0.5],
      [1, 0.5],
      [0, 0.5],
      [0, 0.5],
    ]);
    expect(thrown(() => multipliersPerStep(parseMultipliers('1;0'), 1, stepPhases(4))).message).toBe(
      'LoRA 1 has 2 phases (separated by ;) but this task has 1 guidance phase.',
    );
    // Two guidance phases whose switch no step reaches: the second phase's values are simply unused.
    expect(multipliersPerStep(parseMultipliers('1;0'), 1, stepPhases(3), 2)).toEqual([[1], [1], [1]]);
  });

  it(': splits a phase into the conditional and the unconditional schedule, between ; and , (as WanGP)', () => {
    const p = parseMultipliers('1,0.5:0 0;0.25:1', 2);
    expect(p.loras).toEqual([[[1, 0.5]], [[0], [0.25]]]);
    expect(p.uncond).toEqual([[[0]], [[0], [1]]]);
    // LoRA 1 (no ;) spreads its schedule over all 4 steps, whatever the phases; LoRA 2 has one value per phase.
    expect(multipliersPerStep(p, 2, stepPhases(4, 2), 2, 'cond')).toEqual([
      [1, 0],
      [1, 0],
      [0.5, 0.25],
      [0.5, 0.25],
    ]);
    expect(multipliersPerStep(p, 2, stepPhases(4, 2), 2, 'uncond')).toEqual([
      [0, 0],
      [0, 0],
      [0, 1],
      [0, 1],
    ]);
    expect(thrown(() => parseMultipliers('1 1:')).message).toBe(
      'A value is missing at position 5 of the LoRA multipliers ("1:").',
    );
    expect(thrown(() => parseMultipliers('1 1:x')).message).toBe('"x" at position 5 is not a number.');
    expect(thrown(() => parseMultipliers('1 :1')).message).toBe(
      'A value is missing at position 3 of the LoRA multipliers (":1").',
    );
    expect(thrown(() => parseMultipliers('2;0.5,1:0:1')).message).toBe(
      '"0.5,1:0:1" at position 3 has more than one ":" (write conditional:unconditional, e.g. 1:0).',
    );
    expect(thrown(() => parseMultipliers('1:0,x')).message).toBe('"x" at position 5 is not a number.');
  });

  it('a schedule without ; spans all steps, one with ; each phase (WanGP expand_slist)', () => {
    // WanGP docs/LORAS.md: with 6 steps, "1;0 0;1 0.8,0.7,0.5" gives the third LoRA 0.8, 0.7, 0.5 over steps 1-2, 3-4, 5-6 whatever the phase.
    const per = multipliersPerStep(parseMultipliers('1;0 0;1 0.8,0.7,0.5'), 3, stepPhases(6, 4), 2);
    expect(per.map((m) => m[2])).toEqual([0.8, 0.8, 0.7, 0.7, 0.5, 0.5]);
    expect(per.map((m) => m[0])).toEqual([1, 1, 1, 1, 0, 0]);
    const phased = multipliersPerStep(parseMultipliers('0.9,0.8;1.2,1.1,1'), 1, stepPhases(6, 2), 2);
    expect(phased.map((m) => m[0])).toEqual([0.9, 0.8, 1.2, 1.2, 1.1, 1]);
  });

  it('comment lines and | separators follow WanGP; errors name the position', () => {
    expect(parseMultipliers('# strength | note\n0.8|1.2').loras).toEqual([[[0.8]], [[1.2]]]);
    expect(thrown(() => parseMultipliers('1|0.5|2')).message).toBe(
      'The LoRA multipliers have a second "|" at position 6: WanGP allows one (it ends the accelerator LoRAs\' values).',
    );
    expect(thrown(() => parseMultipliers('1 0.5,abc')).message).toBe('"abc" at position 7 is not a number.');
    expect(thrown(() => parseMultipliers('1 2;x')).message).toBe('"x" at position 5 is not a number.');
    expect(thrown(() => parseMultipliers('1,,2')).message).toBe(
      'A value is missing at position 3 of the LoRA multipliers ("1,,2").',
    );
    const err = thrown(() => parseMultipliers('1 1', 1));
    expect(err.code).toBe('invalid-request');
    expect(err.fields).toEqual({
      loras: 'The LoRA multipliers give 2 values but 1 LoRA is selected: remove the extra ones.',
    });
  });
});
