/**
 * The CI slice of the fuzz harness (tools/fuzz): every parser of user input over 500 fuzzed
 * inputs from a fixed seed, with 0 crashes (errors other than the parser's named one) and 0
 * hangs. Each parser first accepts its seeds, and a share of the mutated inputs is accepted too,
 * so the fuzzing reaches past the first check. `npm run fuzz` runs 10,000 per parser.
 */
import { describe, expect, it } from 'vitest';
import { describeInput, fuzz } from '../../tools/fuzz/harness';
import { fuzzTargets, isOwnError } from '../../tools/fuzz/targets';

const targets = await fuzzTargets();
const CASES = 500;

describe('fuzzing the parsers of user input (fixed seed)', () => {
  it('covers every parser the issue lists', () => {
    expect(targets.map((t) => t.name)).toEqual([
      'pack.json',
      '.lset',
      'safetensors header',
      'settings file',
      'queue.zip',
      'mp4 demuxer',
      'mask png',
      'lora multipliers',
      'naming template',
    ]);
  });

  it('seeds runnable and media pack.json files', () => {
    const pipelines = new Set(
      targets[0]!.seeds.map((s) => (JSON.parse(s as string) as { pipeline: string }).pipeline),
    );
    expect([...pipelines]).toEqual(
      expect.arrayContaining(['t2v-flow-dit', 'matting-memory', 'segment-points']),
    );
  });

  it.each(targets.map((t) => [t.name, t] as const))('%s: accepts its seeds', async (_, target) => {
    for (const seed of target.seeds) await expect(target.parse(seed)).resolves.toBeDefined();
  });

  it.each(targets.map((t) => [t.name, t] as const))(
    `%s: ${CASES} cases, 0 crashes, 0 hangs`,
    async (_, target) => {
      const r = await fuzz(target, CASES, 20261203);
      expect(r.cases).toBe(CASES);
      expect(r.crashes.map((c) => `${c.error} ← ${describeInput(c.input, 200)}`)).toEqual([]);
      expect(r.hangs).toEqual([]);
      expect(r.accepted).toBeGreaterThan(CASES / 50);
      expect(r.accepted).toBeLessThan(CASES);
    },
  );

  it('its own-error test tells a named refusal from a crash', () => {
    expect(isOwnError(new TypeError('t is not iterable'))).toBe(false);
    expect(isOwnError(new RangeError('Invalid array length'))).toBe(false);
  });
});
