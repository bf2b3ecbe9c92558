/**
 * WanGP's guidance phases as one rule: a step is in phase 1 (guided by `guidance2`) once
 * 1000·σ drops below `switchThreshold`, and in phase 0 (`guidance`) before, or always when the
 * request sets no second phase. The denoise loop and the LoRA schedules both ask here.
 */
import type { TaskRequest } from '../request';

type Phased = Pick<TaskRequest, 'guidance' | 'guidance2' | 'switchThreshold'>;

/** The guidance phase (0 or 1) of a step at noise level `sigma`. */
export function guidancePhase(r: Phased, sigma: number): 0 | 1 {
  return r.guidance2 !== undefined && r.switchThreshold !== undefined && 1000 * sigma < r.switchThreshold
    ? 1
    : 0;
}

/** The guidance scale of a step at noise level `sigma`. */
export function guidanceAt(r: Phased, sigma: number): number {
  return guidancePhase(r, sigma) === 1 ? (r.guidance2 as number) : r.guidance;
}
