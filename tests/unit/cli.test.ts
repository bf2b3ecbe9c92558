/** `npx webgp dry-run` (bin/webgp.js → src/cli): the schedules real packs' drivers use, validation, exit codes. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { PACKS_DIR } from '../helpers/ort-node';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'webgp.js');

function webgp(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const close = (xs: number[], want: number[], tol = 1e-4) =>
  xs.length === want.length && xs.every((x, i) => Math.abs(x - (want[i] as number)) <= tol);

describe('webgp dry-run', () => {
  it('FastWan2.2 with UniPC, 4 steps, shift 8: the sigmas and integer timesteps its driver uses', () => {
    const r = webgp(
      'dry-run',
      '--pack',
      'fastwan2.2-ti2v-5b',
      '--solver',
      'unipc',
      '--steps',
      '4',
      '--shift',
      '8',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as {
      valid: boolean;
      schedule: { sigmas: number[]; timesteps: number[]; spacing: string };
      pack: { runnable: boolean; pipeline: string };
      memory: { latentShape: number[] };
    };
    expect(report.valid).toBe(true);
    expect(report.schedule.spacing).toBe('flow-unipc');
    expect(close(report.schedule.sigmas, [1, 0.9601, 0.8891, 0.7281, 0])).toBe(true);
    expect(report.schedule.timesteps).toEqual([1000, 960, 889, 728]);
    expect(report.pack).toMatchObject({
      pipeline: 't2v-flow-dit',
      runnable: true,
      downloadUrl: 'https://huggingface.co/cretz/FastWan2.2-TI2V-5B-ONNX-sharded/resolve/main/',
    });
    expect(report.memory.latentShape).toEqual([1, 48, 21, 30, 30]);
  });

  it('Z-Image-Turbo with Euler, 9 steps, shift 3: diffusers flow-match sigmas and 1 − σ timesteps (last forced to 1)', () => {
    const r = webgp(
      'dry-run',
      '--pack',
      'z-image-turbo',
      '--solver',
      'euler',
      '--steps',
      '9',
      '--shift',
      '3',
      '--json',
    );
    expect(r.code).toBe(0);
    const { schedule } = JSON.parse(r.out) as { schedule: { sigmas: number[]; timesteps: number[] } };
    expect(close(schedule.sigmas, [1, 0.9547, 0.9004, 0.834, 0.7511, 0.6447, 0.503, 0.305, 0.0089, 0])).toBe(
      true,
    );
    expect(close(schedule.timesteps, [0, 0.0453, 0.0996, 0.166, 0.2489, 0.3553, 0.497, 0.695, 1])).toBe(true);
    const text = webgp(
      'dry-run',
      '--pack',
      'z-image-turbo',
      '--solver',
      'euler',
      '--steps',
      '9',
      '--shift',
      '3',
    );
    expect(text.out).toContain(
      'sigmas     [1, 0.9547, 0.9004, 0.8340, 0.7511, 0.6447, 0.5030, 0.3050, 0.0089, 0]',
    );
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
    const r = webgp(
      'dry-run',
      '--pack',
      join(PACKS_DIR, 'demo-t2v'),
      '--steps',
      '999',
      '--width',
      '100',
      '--height',
      '100',
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('Valid      no');
    expect(r.out).toContain('steps: Steps must be a whole number from 1 to 50.');
    expect(r.out).toContain('resolution: Resolution must be one of: 128x128');
  });

  it('usage errors exit 2 with the usage text', () => {
    expect(webgp('dry-run', '--pack', 'demo-t2v', '--steps', 'many')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--steps must be a number, got "many"'),
    });
    expect(webgp('dry-run', '--bogus')).toMatchObject({
      code: 2,
      err: expect.stringContaining('Unknown option "--bogus"'),
    });
    expect(webgp('--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: webgp dry-run') });
  });
});

describe('webgp dry-run: limits from the graphs and from pack.json', () => {
  it('a pack folder whose VAE decoder fixes 21 latent frames: 41 frames exits 1 naming 81, 81 is valid', () => {
    const dir = join(TEST_PACKS_DIR, 'test-fastwan-81');
    const r = webgp('dry-run', '--pack', dir, '--frames', '41');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'frames: Frames must be 81 for this model (its VAE decoder (onnx/vae_decoder-64.onnx) is exported for 21 latent frames).',
    );
    expect(webgp('dry-run', '--pack', dir, '--frames', '81').code).toBe(0);
  });

  it('the real FastWan registry entry refuses 41 frames (declared limit); Z-Image refuses 2 steps and shift 5', () => {
    const fastwan = webgp('dry-run', '--pack', 'fastwan2.2-ti2v-5b', '--frames', '41');
    expect(fastwan.code).toBe(1);
    expect(fastwan.out).toContain(
      'frames: Frames must be 81 for this model (its VAE decoder (onnx/vae_decoder-480.onnx) is exported for 21 latent frames).',
    );
    expect(fastwan.out).toContain('downloadable from the Models page');
    expect(fastwan.out).not.toContain('described only');
    const zimage = webgp('dry-run', '--pack', 'z-image-turbo', '--steps', '2', '--shift', '5');
    expect(zimage.code).toBe(1);
    expect(zimage.out).toContain('steps: Steps must be a whole number from 3 to 9 for this model');
    expect(zimage.out).toContain('shift: Shift is fixed at 3 for this model');
    for (const id of ['sd-turbo', 'sdxl-turbo'])
      expect(webgp('dry-run', '--pack', id).out).toContain('downloadable from the Models page');
    // A header-only pack.json (no components) is described, not runnable.
    const header = mkdtempSync(join(tmpdir(), 'webgp-header-'));
    try {
      const raw = JSON.parse(readFileSync(join(PACKS_DIR, 'sd-turbo', 'pack.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      for (const key of ['tokenizer', 'components']) delete raw[key];
      writeFileSync(join(header, 'pack.json'), JSON.stringify(raw));
      expect(webgp('dry-run', '--pack', header).out).toContain('described only');
    } finally {
      rmSync(header, { recursive: true, force: true });
    }
  });
});

describe('webgp check', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'webgp-check-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  /** A copy of a generated pack, changed by `edit` (paths inside the copy). */
  const copy = (from: string, name: string, edit?: (dir: string) => void) => {
    const dir = join(tmp, name);
    cpSync(from, dir, { recursive: true });
    edit?.(dir);
    return dir;
  };
  type Raw = { components: Record<string, Record<string, unknown>>; limits: Record<string, unknown> };
  const editJson = (dir: string, f: (m: Raw) => void) => {
    const m = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as Raw;
    f(m);
    writeFileSync(join(dir, 'pack.json'), JSON.stringify(m));
  };

  it('exits 0 with a summary: pipeline, components with sizes, limits including those the graphs impose', () => {
    const r = webgp('check', join(TEST_PACKS_DIR, 'test-fastwan-81'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('test-fastwan-81 1.0.0');
    expect(r.out).toContain('Pipeline    t2v-flow-dit');
    expect(r.out).toMatch(/vaeDecoder +onnx\/vae_decoder-64\.onnx, [\d.]+ KB \(float32\)/);
    expect(r.out).toContain(
      'frames       81 — its VAE decoder (onnx/vae_decoder-64.onnx) is exported for 21 latent frames',
    );
    expect(r.out).toContain('resolutions  64x64');
    expect(webgp('check', join(PACKS_DIR, 'demo-matanyone')).code).toBe(0);
  });

  it('exits 1 with one line per problem: missing file, wrong size, wrong sha256', () => {
    const dir = copy(join(PACKS_DIR, 'demo-t2v'), 'files', (d) => {
      rmSync(join(d, 'vae_decoder.onnx'));
      writeFileSync(join(d, 'tokenizer.json'), `${readFileSync(join(d, 'tokenizer.json'), 'utf8')} `);
      const t = readFileSync(join(d, 'transformer.onnx'));
      t.writeUInt8(t.readUInt8(t.length - 1) ^ 1, t.length - 1);
      writeFileSync(join(d, 'transformer.onnx'), t);
    });
    const r = webgp('check', dir);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines).toContain('missing-file: vae_decoder.onnx is missing: pack.json lists it');
    expect(lines).toContainEqual(
      expect.stringMatching(/^corrupt-model: tokenizer\.json is \d+ bytes, pack\.json says \d+$/),
    );
    expect(lines).toContain('corrupt-model: transformer.onnx has a different sha256 than pack.json gives');
    expect(lines.filter((l) => l.includes('vae_decoder.onnx'))).toHaveLength(1);
  });

  it('exits 1 naming graph and tensor for a dtype mismatch, and each wrong pack.json field', () => {
    const dir = copy(join(PACKS_DIR, 'demo-t2v'), 'dtype', (d) =>
      editJson(d, (m) => ((m.components.transformer as Record<string, unknown>).timestepType = 'int64')),
    );
    const r = webgp('check', dir);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([
      'invalid-manifest: transformer.onnx input "timestep": pack.json (timestep: timestepType int64, timestepShape scalar) feeds int64, the graph declares float32',
    ]);
    const bad = copy(join(PACKS_DIR, 'demo-t2v'), 'fields', (d) =>
      editJson(
        d,
        (m) => (
          (m.limits.maxSteps = 'many'),
          ((m.components.transformer as Record<string, unknown>).latentLayout = 'XYZ')
        ),
      ),
    );
    const fields = webgp('check', bad);
    expect(fields.code).toBe(1);
    expect(fields.err).toContain('invalid-manifest: pack.json limits.maxSteps: expected a number');
    expect(fields.err).toContain(
      'invalid-manifest: pack.json components.transformer.latentLayout: "XYZ" is not supported',
    );
  });

  it('exits 1 for a graph swapped for one that lacks an input pack.json names', () => {
    const g = new GraphBuilder('t');
    const x = g.input('hidden_states', 'float32', [1, 4, 'T', 'h', 'w']);
    g.input('encoder_hidden_states', 'float32', [1, 'S', 64]);
    g.op('Identity', [x], {}, 'noise_pred');
    g.output('noise_pred', 'float32', [1, 4, 'T', 'h', 'w']);
    const dir = copy(join(PACKS_DIR, 'demo-t2v'), 'lacks', (d) => {
      writeFileSync(join(d, 'transformer.onnx'), g.toModel());
      editJson(
        d,
        (m) =>
          ((m.components.transformer as Record<string, unknown>).bytes = (
            m.components.transformer as Record<string, unknown>
          ).sha256 =
            undefined),
      );
    });
    const r = webgp('check', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'invalid-manifest: transformer.onnx has no input "timestep" (role timestep); its inputs are: hidden_states, encoder_hidden_states',
    );
  });

  it('usage errors exit 2: no folder, not a folder, two folders', () => {
    expect(webgp('check')).toMatchObject({
      code: 2,
      err: expect.stringContaining('Give the pack folder to check'),
    });
    expect(webgp('check', join(tmp, 'nope'))).toMatchObject({
      code: 2,
      err: expect.stringContaining('is not a folder'),
    });
    expect(webgp('check', tmp, tmp)).toMatchObject({
      code: 2,
      err: expect.stringContaining('takes one folder'),
    });
  });
});
