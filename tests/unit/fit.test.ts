/** "Fits this device?" (src/engine/pack/fit.ts) for the shipped registry's real packs on
 * hand-made capabilities: SwiftShader (the e2e GPU: no shader-f16, 1 GiB buffers), a desktop
 * GPU, no WebGPU, little memory and little storage. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../src/engine/capabilities';
import { formatSize } from '../../src/engine/format-size';
import { fitVerdict, packSizeLabel } from '../../src/engine/pack/fit';
import { findPack, parseRegistry } from '../../src/engine/pack/registry';
import { PACKS_DIR } from '../helpers/ort-node';

const entries = parseRegistry(JSON.parse(readFileSync(join(PACKS_DIR, 'registry.json'), 'utf8')));
const pack = (id: string) => findPack(entries, id);

const base: Capabilities = {
  webgpu: true,
  shaderF16: false,
  maxBufferSize: 2 ** 30,
  adapter: 'google swiftshader',
  threads: 4,
  crossOriginIsolated: true,
  webCodecs: true,
};
const swiftShader = base;
const desktop: Capabilities = {
  ...base,
  shaderF16: true,
  maxBufferSize: 4 * 2 ** 30,
  adapter: 'nvidia ampere',
};
const noWebGpu: Capabilities = { ...base, webgpu: false, maxBufferSize: 0, adapter: 'none' };
const roomy = { memoryGiB: 8, storageFreeBytes: 100e9 };

const F16 = 'Needs the WebGPU shader-f16 feature, which this GPU lacks.';
const UNPUBLISHED = 'Its file sizes are not published, so the download size is unknown.';

describe('fitVerdict on SwiftShader (no shader-f16, 1 GiB buffers)', () => {
  it.each([
    [
      'z-image-turbo',
      'does-not-fit',
      [F16, 'Needs a single GPU buffer of 2.03 GB, but this GPU allows at most 1.07 GB per buffer.'],
    ],
    [
      'sdxl-turbo',
      'does-not-fit',
      [F16, 'Needs a single GPU buffer of 1.97 GB, but this GPU allows at most 1.07 GB per buffer.'],
    ],
    [
      'sd-turbo',
      'does-not-fit',
      [
        F16,
        'Needs a single GPU buffer of 1.61 GB, but this GPU allows at most 1.07 GB per buffer.',
        '2 of its 5 files have no published size, so the download is more than 2.35 GB.',
      ],
    ],
    [
      'fastwan2.2-ti2v-5b',
      'does-not-fit',
      [F16, '56 of its 115 files have no published size, so the download is more than 6.64 GB.'],
    ],
    ['sam-vit-b', 'does-not-fit', [F16]],
    ['matanyone2', 'may-not-fit', [UNPUBLISHED]],
  ])('%s: %s', (id, level, reasons) => {
    expect(fitVerdict(pack(id), swiftShader, roomy)).toEqual({ level, reasons });
  });

  it('bundled demo and test packs always fit', () => {
    for (const id of ['demo-t2v', 'test-t2v-random']) {
      expect(fitVerdict(pack(id), swiftShader, {})).toEqual({
        level: 'fits',
        reasons: ['Bundled demo pack: tiny, runs on WebGPU or on the CPU.'],
      });
      expect(fitVerdict(pack(id), noWebGpu, { memoryGiB: 0.5, storageFreeBytes: 0 }).level).toBe('fits');
    }
  });
});

describe('fitVerdict elsewhere', () => {
  it('fits a desktop GPU with shader-f16, 4 GiB buffers, 8 GiB reported and room to store it', () => {
    expect(fitVerdict(pack('z-image-turbo'), desktop, roomy)).toEqual({
      level: 'fits',
      reasons: [
        'This GPU has what it needs (WebGPU with shader-f16, buffers up to 4.29 GB). Peak use is about 5.26 GB of GPU memory and 7.40 GB of memory.',
      ],
    });
    // SDXL-Turbo's four tokenizer files come unsized from another repository: only that is uncertain.
    expect(fitVerdict(pack('sdxl-turbo'), desktop, {}).level).toBe('fits');
    expect(fitVerdict(pack('sd-turbo'), desktop, {})).toEqual({
      level: 'may-not-fit',
      reasons: ['2 of its 5 files have no published size, so the download is more than 2.35 GB.'],
    });
  });

  it('needs WebGPU, whatever else the device has', () => {
    expect(fitVerdict(pack('sam-vit-b'), noWebGpu, roomy)).toEqual({
      level: 'does-not-fit',
      reasons: ['Needs WebGPU, which this browser does not provide.'],
    });
  });

  it('may not fit where the reported memory is below the peak (reported memory is uncertain)', () => {
    expect(fitVerdict(pack('z-image-turbo'), desktop, { memoryGiB: 2, storageFreeBytes: 100e9 })).toEqual({
      level: 'may-not-fit',
      reasons: [
        'Needs about 7.40 GB of memory at its peak, and this device reports 2 GiB of memory (browsers round this down and cap it, so it may have more).',
        'Needs about 5.26 GB of GPU memory at its peak, and this device reports 2 GiB of memory (browsers round this down and cap it, so it may have more); a GPU with enough memory of its own may still run it.',
      ],
    });
  });

  it('compares the peak with the reported memory, which may be less than the real one', () => {
    const z = pack('z-image-turbo');
    const big = { ...z, requirements: { ...z.requirements!, peakCpuBytes: 12e9 } };
    expect(fitVerdict(big, desktop, roomy)).toEqual({
      level: 'may-not-fit',
      reasons: [
        'Needs about 12.00 GB of memory at its peak, and this device reports 8 GiB of memory (browsers round this down and cap it, so it may have more).',
      ],
    });
  });

  it('does not fit when the download exceeds the free storage', () => {
    expect(fitVerdict(pack('z-image-turbo'), desktop, { memoryGiB: 8, storageFreeBytes: 5e9 })).toEqual({
      level: 'does-not-fit',
      reasons: ['The download (6.02 GB) is larger than the free browser storage (5.00 GB).'],
    });
    expect(fitVerdict(pack('sdxl-turbo'), desktop, { storageFreeBytes: 1e9 }).reasons).toEqual([
      'The download (2.68 GB) is larger than the free browser storage (1.00 GB).',
    ]);
    expect(fitVerdict(pack('sd-turbo'), desktop, { storageFreeBytes: 1e9 }).reasons).toEqual([
      'The download (at least about 2.35 GB) is larger than the free browser storage (1.00 GB).',
      '2 of its 5 files have no published size, so the download is more than 2.35 GB.',
    ]);
  });

  it('a remote pack without requirements may not fit', () => {
    const bare = { ...pack('z-image-turbo'), requirements: undefined };
    expect(fitVerdict(bare, desktop, roomy)).toEqual({
      level: 'may-not-fit',
      reasons: ['It does not say how much memory it needs.'],
    });
  });
});

describe('sizes', () => {
  it('formats decimal sizes as hubs label them', () => {
    expect([905, 5404, 94_500_000, 999_990_000, 2_025_062_400, 2 ** 30].map(formatSize)).toEqual([
      '905 B',
      '5.4 KB',
      '94.5 MB',
      '1.00 GB',
      '2.03 GB',
      '1.07 GB',
    ]);
  });

  it('labels a pack total: exact, approximate, partly or wholly unpublished, bundled', () => {
    expect(
      ['z-image-turbo', 'sam-vit-b', 'sd-turbo', 'fastwan2.2-ti2v-5b', 'matanyone2', 'demo-t2v'].map((id) =>
        packSizeLabel(pack(id)),
      ),
    ).toEqual([
      '6.02 GB',
      '≈ 186.7 MB',
      '≈ 2.35 GB + 2 files of unpublished size',
      '≈ 6.64 GB + 56 files of unpublished size',
      'size not published',
      'bundled with the app',
    ]);
  });
});
