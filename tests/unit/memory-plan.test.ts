/**
 * The memory plan (pack/memory-plan.ts) and budget (pack/memory-budget.ts) with figures: the real
 * Z-Image-Turbo pack.json's phases (REAL_PACKS.md §1 sizes), the registry requirement that follows
 * from them, a streamed chain's resident window, the budget rule, and the Models page verdict
 * and `webgp dry-run` using the peak of the phases rather than the sum.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRun, formatReport } from '../../src/cli/dry-run';
import type { Capabilities } from '../../src/engine/capabilities';
import { fitVerdict, peakGpuBytes } from '../../src/engine/pack/fit';
import { parsePackHeader } from '../../src/engine/pack/header';
import { type PackManifest, parseManifest } from '../../src/engine/pack/manifest';
import { defaultGpuBudget, gpuBudget } from '../../src/engine/pack/memory-budget';
import { chooseResidency, memoryPlan, residentBytes, taskTensors } from '../../src/engine/pack/memory-plan';
import { findPack, parseRegistry } from '../../src/engine/pack/registry';
import { PACKS_DIR } from '../helpers/ort-node';
import { smallRequest } from '../helpers/requests';
import { readManifest } from '../helpers/test-packs';

const GIB = 2 ** 30;
const raw = (id: string) => JSON.parse(readFileSync(join(PACKS_DIR, id, 'pack.json'), 'utf8')) as unknown;
const zimage: PackManifest = parseManifest(raw('z-image-turbo'));
const registry = parseRegistry(JSON.parse(readFileSync(join(PACKS_DIR, 'registry.json'), 'utf8')));

// REAL_PACKS.md §1: text encoder 690,765,724 + 1,526,231,040; transformer 1,675,741,721 + 2,025,062,400 (+ 3,235 step graph); VAE 99,284,482 (+ 905 pre-process).
const TEXT = 690_765_724 + 1_526_231_040;
const DENOISE = 1_675_741_721 + 2_025_062_400 + 3_235;
const DECODE = 99_284_482 + 905;

describe('memory plan of Z-Image-Turbo', () => {
  it('phases hold 2.22 GB, 3.70 GB and 99 MB of sessions; the peak is denoising, the whole pack 6.02 GB', () => {
    const plan = memoryPlan(zimage);
    expect(plan.phases.map((p) => [p.phase, p.sessionBytes])).toEqual([
      ['encode-text', TEXT],
      ['denoise', DENOISE],
      ['decode', DECODE],
    ]);
    expect(plan.peakPhase).toBe('denoise');
    expect(plan.peakBytes).toBe(3_700_807_356);
    expect(plan.wholeBytes).toBe(TEXT + DENOISE + DECODE);
    expect(plan.wholeBytes).toBe(6_017_089_507);
    expect(plan.unsized).toEqual([]);
  });

  it('adds the engine tensors of a 1024x1024 task to each phase', () => {
    const t = taskTensors(
      smallRequest('z-image-turbo', { frames: 1, resolution: '1024x1024', guidance: 1 }),
      zimage,
    );
    expect(t).toEqual({ latentBytes: 16 * 128 * 128 * 4, cfg: false, pixels: 3 * 1024 * 1024 });
    const plan = memoryPlan(zimage, t);
    expect(plan.phases.map((p) => p.tensorBytes)).toEqual([
      0,
      3 * 1_048_576,
      1_048_576 + 12_582_912 + 4_194_304,
    ]);
    expect(plan.peakBytes).toBe(DENOISE + 3_145_728);
    expect(plan.wholeBytes).toBe(6_017_089_507 + 17_825_792);
  });

  it('runs sequentially under a 4 GiB budget and resident under 8 GiB', () => {
    const plan = memoryPlan(zimage);
    expect(chooseResidency(plan, 4 * GIB)).toBe('sequential');
    expect(chooseResidency(plan, 8 * GIB)).toBe('resident');
    expect(chooseResidency(plan, plan.wholeBytes)).toBe('resident');
    expect(chooseResidency(plan, plan.wholeBytes - 1)).toBe('sequential');
  });

  it('the registry requirement is the denoise phase plus the estimated working memory', () => {
    const req = findPack(registry, 'z-image-turbo').requirements;
    expect(req?.workingBytes).toBe(1_557_135_360); // 30 × 4608² × 2 B + 4 × 4608 × 3840 × 4 B
    expect(req?.peakGpuBytes).toBe(memoryPlan(zimage).peakBytes + 1_557_135_360);
    expect(req?.notes).toContain('690,765,724 + 1,526,231,040');
    expect(req?.notes).toContain('estimated, not measured');
  });
});

describe('streamed chains and unsized files', () => {
  it('a chain with resident 2 counts its two largest stages', () => {
    const fastwan = readManifest('test-fastwan');
    // shell_pre 71,497 B; each block 10,437 + 51,328 B of external data; shell_post 28,358 B.
    expect(residentBytes(fastwan.components.transformer)).toBe(71_497 + 61_765);
  });

  it('files without a size are listed, and the verdict keeps the registry figure then', () => {
    const unsized = parseManifest(raw('fastwan2.2-ti2v-5b'));
    const plan = memoryPlan(unsized);
    expect(plan.unsized.length).toBeGreaterThan(0);
    const req = findPack(registry, 'fastwan2.2-ti2v-5b').requirements!;
    expect(peakGpuBytes(req, plan)).toBe(req.peakGpuBytes);
  });

  it('without a working-memory estimate the registry figure stands (the plan alone would leave out activations)', () => {
    const req = { ...findPack(registry, 'z-image-turbo').requirements!, workingBytes: undefined };
    expect(peakGpuBytes(req, memoryPlan(zimage))).toBe(req.peakGpuBytes);
    expect(peakGpuBytes({ ...req, workingBytes: 0 }, memoryPlan(zimage))).toBe(3_700_807_356);
  });
});

describe('GPU memory budget', () => {
  it('defaults to half the reported device memory, at least maxBufferSize, 4 GiB when unreported', () => {
    expect(defaultGpuBudget({ deviceMemoryGiB: 8, maxBufferSize: 2 * GIB })).toBe(4 * GIB);
    expect(defaultGpuBudget({ deviceMemoryGiB: 2, maxBufferSize: 2 * GIB })).toBe(2 * GIB);
    expect(defaultGpuBudget({ deviceMemoryGiB: 4, maxBufferSize: 256 * 2 ** 20 })).toBe(2 * GIB);
    expect(defaultGpuBudget({ maxBufferSize: 0 })).toBe(4 * GIB);
  });

  it('the setting replaces the default; the wasm backend never exceeds the 4 GiB heap', () => {
    const facts = { deviceMemoryGiB: 8, maxBufferSize: 2 * GIB };
    expect(gpuBudget(12, facts, 'webgpu')).toBe(12 * GIB);
    expect(gpuBudget(null, facts, 'webgpu')).toBe(4 * GIB);
    expect(gpuBudget(12, facts, 'wasm')).toBe(4 * GIB);
    expect(gpuBudget(1.5, facts, 'wasm')).toBe(1.5 * GIB);
  });
});

describe('the verdict and dry-run use the peak of the phases', () => {
  const desktop: Capabilities = {
    webgpu: true,
    shaderF16: true,
    maxBufferSize: 4 * GIB,
    adapter: 'nvidia ampere',
    threads: 4,
    crossOriginIsolated: true,
    webCodecs: true,
  };

  it('Models page: 5.26 GB while denoising, not the 6.02 GB sum', () => {
    const v = fitVerdict(
      findPack(registry, 'z-image-turbo'),
      desktop,
      { memoryGiB: 8, storageFreeBytes: 100e9 },
      memoryPlan(zimage),
    );
    expect(v).toEqual({
      level: 'fits',
      reasons: [
        'This GPU has what it needs (WebGPU with shader-f16, buffers up to 4.29 GB). Peak use is about 5.26 GB of GPU memory (while denoising; its sessions run one phase at a time when the whole pack, 6.02 GB, is over the GPU memory budget) and 7.40 GB of memory.',
      ],
    });
    const small = fitVerdict(
      findPack(registry, 'z-image-turbo'),
      desktop,
      { memoryGiB: 4, storageFreeBytes: 100e9 },
      memoryPlan(zimage),
    );
    expect(small.level).toBe('may-not-fit');
    expect(small.reasons).toContain(
      'Needs about 5.26 GB of GPU memory at its peak (while denoising; its sessions run one phase at a time when the whole pack, 6.02 GB, is over the GPU memory budget), and this device reports 4 GiB of memory (browsers round this down and cap it, so it may have more); a GPU with enough memory of its own may still run it.',
    );
  });

  it('dry-run reports each phase, the peak phase and the whole pack', () => {
    const header = parsePackHeader(raw('z-image-turbo'));
    const r = dryRun(header, findPack(registry, 'z-image-turbo'), { width: 1024, height: 1024 }, zimage);
    expect(r.memory).toMatchObject({
      packPeakPhase: 'denoise',
      packWholeBytes: 6_017_089_507 + 17_825_792,
      packPeakGpuBytes: DENOISE + 3_145_728 + 1_557_135_360,
    });
    expect(r.memory?.phases?.map((p) => p.sessionBytes)).toEqual([TEXT, DENOISE, DECODE]);
    const text = formatReport(r);
    expect(text).toContain('phases     encode-text 2.22 GB → denoise 3.70 GB → decode 117.1 MB');
    expect(text).toContain(
      'peak       denoise, its sessions run one phase at a time (when the whole pack is over the GPU memory budget); all sessions resident: 6.03 GB',
    );
  });
});
