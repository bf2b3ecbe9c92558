/** The bench's per-build rows (src/engine/bench/build-rows.ts): pass/fail and step time over the default build's. */
import { describe, expect, it } from 'vitest';
import { buildRow, formatBuildRows } from '../../src/engine/bench/build-rows';
import type { PipelineBenchResult } from '../../src/engine/bench/pipeline-bench';

const result = (stepMs: number) => ({ backend: 'webgpu', stepMs }) as PipelineBenchResult;

describe('formatBuildRows', () => {
  it('gives each build its step over the default build and marks a failure with its reason', () => {
    const lines = formatBuildRows([
      buildRow('test-zimage', 'default', { result: result(400) }),
      buildRow('test-zimage', 'webgpu', { result: result(500) }),
      buildRow('test-fastwan', 'default', { result: result(600) }),
      buildRow('test-fastwan', 'webgpu', { error: 'memory access out of bounds' }),
    ]);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^default\s+test-zimage\s+pass\s+400\.0\s+1\.00$/);
    expect(lines[2]).toMatch(/^webgpu\s+test-zimage\s+pass\s+500\.0\s+1\.25$/);
    expect(lines[4]).toMatch(/^webgpu\s+test-fastwan\s+FAIL\s+-\s+-\s+memory access out of bounds$/);
  });
});
