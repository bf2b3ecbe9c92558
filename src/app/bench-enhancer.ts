/**
 * The prompt-enhancer bench row (bench.html?enhancer): the local provider's worker decoding with
 * the generated test-llm pack (models/test-llm/), one warm-up run (session creation) then five
 * timed runs; tokens per second count the new tokens of each run (prompt prefill included in the time).
 */
import type { EnhancerBenchRow } from '../engine/bench/enhancer-bench';
import type { BackendPreference } from '../engine/capabilities';
import { enhanceLocally, resetEnhancer } from './bridges/enhancer-bridge';

export async function benchEnhancer(
  backend: BackendPreference,
  packId = 'test-llm',
  runs = 5,
): Promise<EnhancerBenchRow> {
  const once = (i: number) =>
    enhanceLocally({
      jobId: `bench-${i}`,
      packId,
      backend,
      prompt: 'a red cat running on the beach',
      mode: 'text',
      seed: i,
      signal: new AbortController().signal,
      onText: () => {},
    });
  await once(0);
  let tokens = 0;
  const t0 = performance.now();
  for (let i = 1; i <= runs; i++) tokens += (await once(i)).tokens;
  const ms = performance.now() - t0;
  await resetEnhancer();
  return { backend, packId, runs, tokens, ms, tokensPerSecond: tokens / (ms / 1000) };
}
