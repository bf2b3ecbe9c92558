/** WanGP guidance phases: phase 2's guidance below the switch threshold, validated, and kept in settings files. */
import { describe, expect, it } from 'vitest';
import { applySettings } from '../../src/engine/metadata/settings-file';
import { validateRequest } from '../../src/engine/request';
import { requestParams } from '../../src/engine/settings';
import { cpuEngine, smallRequest } from '../helpers/packs';
import { readManifest } from '../../src/engine/pack/load-pack';
import { diskPackSource } from '../helpers/ort-node';
import { guidanceAt, guidancePhase } from '../../src/engine/schedule/guidance-phase';

const PACK = 'test-t2v-random';

describe('guidance phases', () => {
  it('one rule: phase 1 once 1000·σ is below the threshold, phase 0 before and without a second phase', () => {
    const r = { guidance: 5, guidance2: 2, switchThreshold: 875 };
    expect([1, 0.876, 0.875, 0.5].map((s) => guidancePhase(r, s))).toEqual([0, 0, 0, 1]);
    expect([1, 0.5].map((s) => guidanceAt(r, s))).toEqual([5, 2]);
    expect(guidancePhase({ guidance: 5 }, 0.1)).toBe(0);
    expect(guidancePhase({ guidance: 5, guidance2: 2 }, 0.1)).toBe(0);
    expect(guidanceAt({ guidance: 5, switchThreshold: 900 }, 0.1)).toBe(5);
  });

  it('switches guidance at the threshold: threshold 0 is one phase, equal phases are one phase, a real switch differs from both', async () => {
    const e = cpuEngine();
    const base = smallRequest(PACK, { guidance: 3, steps: 4 });
    const single = await e.generate('a', base);
    const never = await e.generate('b', { ...base, guidance2: 1, switchThreshold: 0 });
    const same = await e.generate('c', { ...base, guidance2: 3, switchThreshold: 600 });
    const switched = await e.generate('d', { ...base, guidance2: 1, switchThreshold: 600 });
    const allLow = await e.generate('e', { ...base, guidance: 1 });
    expect(never.latent).toEqual(single.latent);
    expect(same.latent).toEqual(single.latent);
    expect(switched.latent).not.toEqual(single.latent);
    expect(switched.latent).not.toEqual(allLow.latent);
  });

  it('needs both values, in range', async () => {
    const m = await readManifest(diskPackSource(PACK));
    expect(validateRequest(smallRequest(PACK, { guidance2: 2 }), m).guidance2).toContain('both');
    expect(
      validateRequest(smallRequest(PACK, { guidance2: 60, switchThreshold: 500 }), m).guidance2,
    ).toContain('0 to 50');
    expect(
      validateRequest(smallRequest(PACK, { guidance2: 2, switchThreshold: 2000 }), m).switchThreshold,
    ).toContain('0 to 1000');
    expect(validateRequest(smallRequest(PACK, { guidance2: 2, switchThreshold: 875 }), m)).toEqual({});
  });

  it('round-trips through WanGP keys (guidance_phases, guidance2_scale, switch_threshold); one phase drops phase-2 values', async () => {
    const m = await readManifest(diskPackSource(PACK));
    const r = smallRequest(PACK, { guidance: 4, guidance2: 2, switchThreshold: 875 });
    expect(requestParams(r)).toMatchObject({ guidance_phases: 2, guidance2_scale: 2, switch_threshold: 875 });
    expect(applySettings(requestParams(r), smallRequest(PACK), m).request).toMatchObject({
      guidance: 4,
      guidance2: 2,
      switchThreshold: 875,
    });
    const one = applySettings(
      { guidance_phases: 1, guidance2_scale: 2, switch_threshold: 875 },
      smallRequest(PACK),
      m,
    ).request;
    expect(one.guidance2).toBeUndefined();
    expect(one.switchThreshold).toBeUndefined();
    expect(requestParams(smallRequest(PACK))).toMatchObject({ guidance_phases: 1 });
  });
});
