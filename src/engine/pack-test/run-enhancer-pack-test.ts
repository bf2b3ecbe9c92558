/**
 * "Test this pack" for the prompt enhancer's packs (pipeline prompt-llm or image-captioner): the
 * pack is opened (its files verified against pack.json, its sessions created: the load stage),
 * then one fixed enhancement or one caption of a plain test image runs (the enhance / caption
 * stage). It passes when that stage writes some text; the text is kept in the report. Never
 * rejects except with AbortError.
 */
import type { Backend } from '../runtime';
import { errorCode, isAbortError } from '../errors';
import type { PackTestReport } from './run-pack-test';

/** The prompt an LLM pack's test enhances (Text mode, seed 0). */
export const ENHANCER_TEST_PROMPT = 'a red cat running on the beach';

export interface EnhancerPackTestSteps {
  backend: Backend;
  /** Opens the pack (verified files, sessions). */
  open: () => Promise<void>;
  stage: 'enhance' | 'caption';
  /** Runs the enhancement or the caption on the opened pack. */
  run: () => Promise<string>;
  now?: () => number;
}

export async function runEnhancerPackTest(packId: string, o: EnhancerPackTestSteps): Promise<PackTestReport> {
  const now = o.now ?? (() => performance.now());
  const report: PackTestReport = {
    packId,
    pass: false,
    backend: o.backend,
    stages: [],
    totalMs: 0,
    testedAt: Date.now(),
  };
  const start = now();
  let stage: 'load' | EnhancerPackTestSteps['stage'] = 'load';
  try {
    await o.open();
    report.stages.push({ stage: 'load', ms: now() - start });
    stage = o.stage;
    const mark = now();
    const text = await o.run();
    const problem = text ? undefined : 'wrote no text';
    report.stages.push({ stage, ms: now() - mark, text, ...(problem ? { problem } : {}) });
    report.pass = !problem;
    if (problem) report.reason = `${stage}: ${problem}`;
  } catch (err) {
    if (isAbortError(err)) throw err;
    report.reason = `${stage}: ${errorCode(err) ? `${errorCode(err)}: ` : ''}${(err as Error).message}`;
  }
  report.totalMs = now() - start;
  return report;
}
