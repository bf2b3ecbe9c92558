import { describe, expect, it } from 'vitest';
import { enhancerRelease } from '../../src/engine/enhancer/enhancer-release';
import type { MemoryPlan } from '../../src/engine/pack/memory-plan';

const MB = 1e6;
// A generation pack whose sessions together are 600 MB, its largest phase 400 MB.
const plan: MemoryPlan = {
  phases: [],
  wholeBytes: 600 * MB,
  peakBytes: 400 * MB,
  peakPhase: 'denoise',
  unsized: [],
};

describe('enhancerRelease', () => {
  it('keeps the LLM when it and the resident generation pack fit the budget', () => {
    const d = enhancerRelease({ enhancerBytes: 300 * MB, plan, budgetBytes: 1000 * MB });
    expect(d.keep).toBe(true);
    expect(d.generationBytes).toBe(600 * MB);
    expect(d.message).toMatch(
      /^Prompt enhancer kept loaded: both fit \(enhancer 300(\.0)? MB \+ generation 600(\.0)? MB/,
    );
  });

  it('releases the LLM when both do not fit', () => {
    const d = enhancerRelease({ enhancerBytes: 500 * MB, plan, budgetBytes: 1000 * MB });
    expect(d.keep).toBe(false);
    expect(d.message).toMatch(/^Prompt enhancer released before generation: both do not fit/);
  });

  it('counts only the peak phase when the pack itself runs one phase at a time', () => {
    const d = enhancerRelease({ enhancerBytes: 100 * MB, plan, budgetBytes: 500 * MB });
    expect(d.generationBytes).toBe(400 * MB);
    expect(d.keep).toBe(true);
    expect(enhancerRelease({ enhancerBytes: 101 * MB, plan, budgetBytes: 500 * MB }).keep).toBe(false);
  });

  it('keeps at exactly the budget', () => {
    expect(enhancerRelease({ enhancerBytes: 400 * MB, plan, budgetBytes: 1000 * MB }).keep).toBe(true);
  });
});
