/**
 * The bench's per-build rows (`npm run bench`): each contract test pack's denoise step on each
 * onnxruntime-web build (engine/ort-build.ts), pass or fail, and the step time over the default
 * build's. The figures behind the default build's choice, docs/pack-format.md.
 */
import { DEFAULT_ORT_BUILD, type OrtBuild } from '../ort-build';
import type { PipelineBenchResult } from './pipeline-bench';

/** One pack on one build: its step time, or why it did not finish. */
export interface BuildBenchRow {
  packId: string;
  build: OrtBuild;
  backend?: string;
  stepMs?: number;
  error?: string;
}

/** The row for a bench run that gave `result`, or failed with `error` (a trap, a timeout). */
export function buildRow(
  packId: string,
  build: OrtBuild,
  outcome: { result: PipelineBenchResult } | { error: string },
): BuildBenchRow {
  return 'result' in outcome
    ? { packId, build, backend: outcome.result.backend, stepMs: outcome.result.stepMs }
    : { packId, build, error: outcome.error };
}

/** The table: pack, build, pass/fail, step ms, and the step over the default build's for the same pack. */
export function formatBuildRows(rows: BuildBenchRow[]): string[] {
  const lines = ['ort build     pack              result  step ms  step/default'];
  for (const r of rows) {
    const base = rows.find((d) => d.packId === r.packId && d.build === DEFAULT_ORT_BUILD)?.stepMs;
    const ratio = r.stepMs !== undefined && base ? (r.stepMs / base).toFixed(2) : '-';
    const step = r.stepMs !== undefined ? r.stepMs.toFixed(1) : '-';
    lines.push(
      `${r.build.padEnd(13)} ${r.packId.padEnd(17)} ${(r.error ? 'FAIL' : 'pass').padEnd(7)} ${step.padStart(7)}  ${ratio.padStart(12)}${r.error ? `  ${r.error.slice(0, 80)}` : ''}`,
    );
  }
  return lines;
}
