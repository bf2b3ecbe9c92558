/**
 * Whether the local enhancer's LLM session may stay loaded while the generation pack runs: it is
 * kept when the LLM's session bytes plus what the generation needs (the whole pack when it stays
 * resident under the budget, else its largest phase: memory-plan.ts) fit the GPU memory budget,
 * and released (reset) before the generation pack loads otherwise. Pure: used by the queue's
 * enhance stage and unit-tested.
 */
import { formatSize } from '../format-size';
import { chooseResidency, type MemoryPlan } from '../pack/memory-plan';

export interface EnhancerReleaseDecision {
  keep: boolean;
  enhancerBytes: number;
  /** The generation's footprint under this budget (whole pack if resident, else its peak phase). */
  generationBytes: number;
  budgetBytes: number;
  /** One line for the run's notes ("Prompt enhancer kept loaded: …" / "released before generation: …"). */
  message: string;
}

/** The decision for an LLM session of `enhancerBytes` next to a generation with memory plan `plan`. */
export function enhancerRelease(o: {
  enhancerBytes: number;
  plan: MemoryPlan;
  budgetBytes: number;
}): EnhancerReleaseDecision {
  const generationBytes =
    chooseResidency(o.plan, o.budgetBytes) === 'resident' ? o.plan.wholeBytes : o.plan.peakBytes;
  const need = o.enhancerBytes + generationBytes;
  const keep = need <= o.budgetBytes;
  const sizes = `enhancer ${formatSize(o.enhancerBytes)} + generation ${formatSize(generationBytes)} = ${formatSize(need)}, GPU memory budget ${formatSize(o.budgetBytes)}`;
  return {
    keep,
    enhancerBytes: o.enhancerBytes,
    generationBytes,
    budgetBytes: o.budgetBytes,
    message: keep
      ? `Prompt enhancer kept loaded: both fit (${sizes}).`
      : `Prompt enhancer released before generation: both do not fit (${sizes}).`,
  };
}
