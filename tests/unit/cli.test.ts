/** `npx webgp dry-run` (bin/webgp.js → src/cli): the schedules real packs' drivers use, validation, exit codes. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKS_DIR } from '../helpers/ort-node';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'webgp.js');

function webgp(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const close = (xs: number[], want: number[], tol = 1e-4) => xs.length === want.length && xs.every((x, i) => Math.abs(x - (want[i] as number)) <= tol);

describe('webgp dry-run', () => {
  it('FastWan2.2 with UniPC, 4 steps, shift 8: the sigmas and integer timesteps its driver uses', () => {
    const r = webgp('dry-run', '--pack', 'fastwan2.2-ti2v-5b', '--solver', 'unipc', '--steps', '4', '--shift', '8', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { valid: boolean; schedule: { sigmas: number[]; timesteps: number[]; spacing: string }; pack: { runnable: boolean; pipeline: string }; memory: { latentShape: number[] } };
    expect(report.valid).toBe(true);
    expect(report.schedule.spacing).toBe('flow-unipc');
    expect(close(report.schedule.sigmas, [1, 0.9601, 0.8891, 0.7281, 0])).toBe(true);
    expect(report.schedule.timesteps).toEqual([1000, 960, 889, 728]);
    expect(report.pack).toMatchObject({ pipeline: 't2v-flow-dit', runnable: false });
    expect(report.memory.latentShape).toEqual([1, 48, 21, 30, 30]);
  });

  it('Z-Image-Turbo with Euler, 9 steps, shift 3: diffusers flow-match sigmas and 1 − σ timesteps (last forced to 1)', () => {
    const r = webgp('dry-run', '--pack', 'z-image-turbo', '--solver', 'euler', '--steps', '9', '--shift', '3', '--json');
    expect(r.code).toBe(0);
    const { schedule } = JSON.parse(r.out) as { schedule: { sigmas: number[]; timesteps: number[] } };
    expect(close(schedule.sigmas, [1, 0.9547, 0.9004, 0.834, 0.7511, 0.6447, 0.503, 0.305, 0.0089, 0])).toBe(true);
    expect(close(schedule.timesteps, [0, 0.0453, 0.0996, 0.166, 0.2489, 0.3553, 0.497, 0.695, 1])).toBe(true);
    const text = webgp('dry-run', '--pack', 'z-image-turbo', '--solver', 'euler', '--steps', '9', '--shift', '3');
    expect(text.out).toContain('sigmas     [1, 0.9547, 0.9004, 0.8340, 0.7511, 0.6447, 0.5030, 0.3050, 0.0089, 0]');
    expect(text.out).toContain('Valid      yes');
    // Memory from the pack's phases (sessions one phase at a time), not the sum of its files.
    expect(text.out).toContain('phases     encode-text 2.22 GB → denoise 3.70 GB → decode 103.7 MB');
    expect(text.out).toContain('pack peak ≈ 5.26 GB GPU');
  });

  it('an unknown pack id exits 2 and lists the valid ids', () => {
    const r = webgp('dry-run', '--pack', 'wan2.9-imaginary');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Unknown pack "wan2.9-imaginary". Valid ids: demo-t2v');
    expect(r.err).toContain('fastwan2.2-ti2v-5b');
    expect(r.err).toContain('z-image-turbo');
  });

  it('an invalid task exits 1 with the field messages; a pack folder path works too', () => {
    const r = webgp('dry-run', '--pack', join(PACKS_DIR, 'demo-t2v'), '--steps', '999', '--width', '100', '--height', '100');
    expect(r.code).toBe(1);
    expect(r.out).toContain('Valid      no');
    expect(r.out).toContain('steps: Steps must be a whole number from 1 to 50.');
    expect(r.out).toContain('resolution: Resolution must be one of: 128x128');
  });

  it('usage errors exit 2 with the usage text', () => {
    expect(webgp('dry-run', '--pack', 'demo-t2v', '--steps', 'many')).toMatchObject({ code: 2, err: expect.stringContaining('--steps must be a number, got "many"') });
    expect(webgp('dry-run', '--bogus')).toMatchObject({ code: 2, err: expect.stringContaining('Unknown option "--bogus"') });
    expect(webgp('--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: webgp dry-run') });
  });
});
