/**
 * The native build's two rules (src/engine/native-build-guard.ts) on a stand-in ORT module that
 * logs every call: a session is released only after the GPU outputs it handed out are disposed,
 * and no creation, run, readback or release starts while another is in flight. The real trap these avoid
 * is reproduced in Chromium by the native-webgpu Playwright project (block-streamed packs).
 */
import { describe, expect, it } from 'vitest';
import { guardNativeBuild } from '../../src/engine/native-build-guard';
import type { OrtModule, OrtSession, OrtTensor } from '../../src/engine/runtime';
import { ortNodeModule } from '../helpers/ort-node';

/** A stand-in module: each session returns one output at `location`; every call is logged with its start and end. */
function fakeOrt(location: 'cpu' | 'gpu-buffer') {
  const log: string[] = [];
  let busy = 0;
  let overlaps = 0;
  let sessions = 0;
  /** Logs `name` around an async call, counting calls that start while another is in flight. */
  const call = async <T>(name: string, fn: () => T): Promise<T> => {
    if (busy > 0) overlaps += 1;
    busy += 1;
    log.push(`${name} start`);
    await new Promise((r) => setTimeout(r, 1));
    busy -= 1;
    log.push(`${name} end`);
    return fn();
  };
  const ort: OrtModule = {
    Tensor: ortNodeModule.Tensor,
    InferenceSession: {
      create: () =>
        call(`create s${++sessions}`, () => {
          const id = `s${sessions}`;
          let outputs = 0;
          return {
            run: () =>
              call(`run ${id}`, () => {
                const name = `${id}.y${++outputs}`;
                return {
                  y: {
                    location,
                    dims: [1],
                    dispose: () => log.push(`dispose ${name}`),
                    getData: () => call(`read ${name}`, () => new Float32Array(1)),
                  } as unknown as OrtTensor,
                };
              }),
            release: () => call(`release ${id}`, () => undefined),
            inputNames: ['x'],
            outputNames: ['y'],
          } as unknown as OrtSession;
        }),
    },
  };
  return { ort, log, overlaps: () => overlaps };
}

const bytes = new Uint8Array(1);

describe('native build guard', () => {
  it('releases a session only after the GPU outputs it handed out are disposed', async () => {
    const fake = fakeOrt('gpu-buffer');
    const ort = guardNativeBuild(fake.ort);
    const s = await ort.InferenceSession.create(bytes);
    const a = (await s.run({})).y as OrtTensor;
    const b = (await s.run({})).y as OrtTensor;
    await s.release(); // returns at once: two outputs are alive
    expect(fake.log.filter((l) => l.startsWith('release'))).toEqual([]);
    a.dispose();
    a.dispose(); // a second dispose neither disposes again nor counts twice
    expect(fake.log.filter((l) => l.startsWith('release'))).toEqual([]);
    b.dispose();
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.log.filter((l) => /^(dispose|release)/.test(l))).toEqual([
      'dispose s1.y1',
      'dispose s1.y2',
      'release s1 start',
      'release s1 end',
    ]);
  });

  it('releases at once when no GPU output is alive (CPU outputs are not held)', async () => {
    const fake = fakeOrt('cpu');
    const ort = guardNativeBuild(fake.ort);
    const s = await ort.InferenceSession.create(bytes);
    await s.run({});
    await s.release();
    expect(fake.log.at(-1)).toBe('release s1 end');
  });

  it('never starts a creation while a run is in flight (block streaming creates the next stage during a run)', async () => {
    const fake = fakeOrt('gpu-buffer');
    const ort = guardNativeBuild(fake.ort);
    const first = await ort.InferenceSession.create(bytes);
    const [out] = await Promise.all([first.run({}), ort.InferenceSession.create(bytes), first.run({})]);
    (out.y as OrtTensor).dispose();
    expect(fake.overlaps()).toBe(0);
    expect(fake.log.slice(2)).toEqual([
      'run s1 start',
      'run s1 end',
      'create s2 start',
      'create s2 end',
      'run s1 start',
      'run s1 end',
      'dispose s1.y1',
    ]);
    // The same calls on the unguarded module do overlap: the check above can fail.
    const bare = fakeOrt('gpu-buffer');
    const s = await bare.ort.InferenceSession.create(bytes);
    await Promise.all([s.run({}), bare.ort.InferenceSession.create(bytes)]);
    expect(bare.overlaps()).toBeGreaterThan(0);
  });

  it('reads a GPU output back only between runs (a preview read while the next stage runs waits its turn)', async () => {
    const fake = fakeOrt('gpu-buffer');
    const ort = guardNativeBuild(fake.ort);
    const s = await ort.InferenceSession.create(bytes);
    const out = (await s.run({})).y as OrtTensor;
    const [, data] = await Promise.all([s.run({}), out.getData()]);
    expect(data).toEqual(new Float32Array(1));
    expect(fake.overlaps()).toBe(0);
    expect(fake.log.slice(4)).toEqual(['run s1 start', 'run s1 end', 'read s1.y1 start', 'read s1.y1 end']);
  });
});
