/** What enhancement adds to check/dry-run: the packs each mode needs, their download and peak
 * from the bundled registry, and the dry-run report's Enhancer lines. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRun, formatReport } from '../../src/cli/dry-run';
import { enhancerCost } from '../../src/engine/enhancer/enhancer-cost';
import { parsePackHeader } from '../../src/engine/pack/header';
import { parseRegistry } from '../../src/engine/pack/registry';

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models');
const registry = parseRegistry(JSON.parse(readFileSync(join(MODELS, 'registry.json'), 'utf8')));

describe('enhancerCost', () => {
  it('is nothing when the task does not enhance', () => {
    expect(enhancerCost(undefined, registry)).toBeUndefined();
    expect(enhancerCost('off', registry)).toBeUndefined();
  });

  it('Text needs the LLM only', () => {
    expect(enhancerCost('text', registry)).toEqual({
      mode: 'text',
      packs: [
        {
          id: 'qwen2.5-0.5b-instruct',
          role: 'llm',
          downloadBytes: 483_000_000,
          bytesApprox: true,
          unknownSizes: 1,
          peakGpuBytes: 700_000_000,
          peakCpuBytes: 600_000_000,
        },
      ],
      downloadBytes: 483_000_000,
      peakGpuBytes: 700_000_000,
      peakCpuBytes: 600_000_000,
      unknown: [],
    });
  });

  it('Image modes add the captioner: downloads add up, the peak is the larger pack (one at a time)', () => {
    for (const mode of ['image', 'text-image'] as const) {
      const c = enhancerCost(mode, registry);
      expect(c?.packs.map((p) => [p.role, p.id])).toEqual([
        ['captioner', 'florence-2-base-ft'],
        ['llm', 'qwen2.5-0.5b-instruct'],
      ]);
      expect(c?.downloadBytes).toBe(1_086_000_000 + 483_000_000);
      expect(c?.peakGpuBytes).toBe(1_300_000_000);
      expect(c?.peakCpuBytes).toBe(1_200_000_000);
    }
  });

  it('names packs the registry does not know instead of counting them', () => {
    const c = enhancerCost('image', registry, { llm: 'qwen2.5-0.5b-instruct', captioner: 'my-captioner' });
    expect(c?.unknown).toEqual(['my-captioner']);
    expect(c?.downloadBytes).toBe(483_000_000);
  });

  it('dry-run reports it next to the pack memory', () => {
    const raw = JSON.parse(readFileSync(join(MODELS, 'demo-t2v', 'pack.json'), 'utf8'));
    const header = parsePackHeader(raw, 'demo-t2v/pack.json');
    const report = dryRun(header, undefined, { enhance: 'text' }, undefined, enhancerCost('text', registry));
    expect(report.valid).toBe(true);
    expect(report.enhancer?.downloadBytes).toBe(483_000_000);
    const text = formatReport(report);
    expect(text).toContain('Enhancer   text: download ≈ 483.0 MB, peak ≈ 700.0 MB GPU, 600.0 MB CPU');
    expect(text).toContain('  llm        qwen2.5-0.5b-instruct: ≈ 483.0 MB + 1 file of unknown size');
    expect(formatReport(dryRun(header, undefined, {}, undefined, undefined))).not.toContain('Enhancer');
  });
});
