/**
 * Runs a fuzz target over `cases` inputs from a fixed seed and counts crashes (errors that are not
 * the parser's own) and hangs (one input taking longer than `hangMs`). Inputs are sampled, not
 * shrunk: each crash keeps its input so it can become a regression test.
 */
import fc from 'fast-check';
import { type FuzzTarget, isOwnError } from './targets';

export interface FuzzCrash {
  input: unknown;
  error: string;
}

export interface FuzzReport {
  name: string;
  cases: number;
  /** Inputs the parser accepted (mutations that stayed valid): shows the fuzzing gets past the first check. */
  accepted: number;
  crashes: FuzzCrash[];
  hangs: { input: unknown; ms: number }[];
  ms: number;
}

export async function fuzz(
  target: FuzzTarget,
  cases: number,
  seed: number,
  hangMs = 2000,
): Promise<FuzzReport> {
  const report: FuzzReport = { name: target.name, cases: 0, accepted: 0, crashes: [], hangs: [], ms: 0 };
  const started = performance.now();
  for (const input of fc.sample(target.input, { numRuns: cases, seed })) {
    const t = performance.now();
    try {
      await target.parse(input);
      report.accepted++;
    } catch (err) {
      if (!isOwnError(err))
        report.crashes.push({
          input,
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        });
    }
    const ms = performance.now() - t;
    if (ms > hangMs) report.hangs.push({ input, ms });
    report.cases++;
  }
  report.ms = performance.now() - started;
  return report;
}

/** A short printable form of an input (bytes as hex, text as JSON), for reports. */
export function describeInput(input: unknown, max = 400): string {
  const s = input instanceof Uint8Array ? Buffer.from(input).toString('hex') : JSON.stringify(input);
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
