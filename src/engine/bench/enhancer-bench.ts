/** The prompt-enhancer bench row (bench.html?enhancer, printed by `npm run bench`). */
import type { BackendPreference } from '../capabilities';

export interface EnhancerBenchRow {
  backend: BackendPreference;
  packId: string;
  runs: number;
  /** New tokens over the timed runs. */
  tokens: number;
  ms: number;
  tokensPerSecond: number;
}
