/** The app's pack list (src/engine/pack/pack-list.ts): registry entries marked installed, installed
 * packs the registry does not know as entries of their own, and what the Model picker offers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeInstalled, pickerPacks } from '../../src/engine/pack/pack-list';
import { parseRegistry } from '../../src/engine/pack/registry';
import { PACKS_DIR } from '../helpers/ort-node';

const registry = parseRegistry(JSON.parse(readFileSync(join(PACKS_DIR, 'registry.json'), 'utf8')));
const demoManifest = readFileSync(join(PACKS_DIR, 'demo-t2v', 'pack.json'), 'utf8');
const served = {
  id: 'served-t2v',
  name: 'Served demo',
  baseUrl: 'http://127.0.0.1:9/served/',
  manifestText: demoManifest,
  files: [{ bytes: 10 }, { bytes: 5 }, { bytes: -1 }],
};

describe('mergeInstalled', () => {
  it('leaves the registry as it is when nothing is installed', () => {
    expect(mergeInstalled(registry, [])).toEqual(registry);
  });

  it('marks installed registry packs and appends unknown installed packs', () => {
    const merged = mergeInstalled(registry, [served, { ...served, id: 'sd-turbo', name: 'SD-Turbo' }]);
    expect(merged.map((e) => e.id)).toEqual([...registry.map((e) => e.id), 'served-t2v']);
    expect(merged.find((e) => e.id === 'sd-turbo')).toMatchObject({
      installed: true,
      remote: true,
      source: { repo: 'hf:schmuell/sd-turbo-ort-web' },
    });
    expect(merged.find((e) => e.id === 'sd-turbo')?.installedFrom).toBeUndefined();
    expect(merged.at(-1)).toMatchObject({
      id: 'served-t2v',
      name: 'Served demo',
      url: 'opfs:packs/served-t2v/',
      installed: true,
      installedFrom: served.baseUrl,
      remote: false,
      test: false,
      demo: true,
      license: 'MIT',
      pipeline: 't2v-flow-dit',
      bytes: 15,
      unknownSizes: 1,
    });
  });

  it('keeps an installed pack with an unreadable manifest, without the manifest facts', () => {
    const [entry] = mergeInstalled([], [{ ...served, manifestText: '{' }]);
    expect(entry).toMatchObject({ id: 'served-t2v', installed: true, demo: false });
    expect(entry?.pipeline).toBeUndefined();
  });
});

describe('pickerPacks', () => {
  const ids = (withTest: boolean, installed = mergeInstalled(registry, [])) =>
    pickerPacks(installed, withTest).map((e) => e.id);

  it('offers bundled packs, and test packs only with ?test-packs', () => {
    expect(ids(false)).toEqual(['demo-t2v']);
    expect(ids(true)).toEqual(['demo-t2v', 'test-t2v-random']);
  });

  it('offers remote packs once installed, and packs the user installed', () => {
    const merged = mergeInstalled(registry, [
      served,
      { ...served, id: 'sd-turbo', name: 'SD-Turbo' },
      { ...served, id: 'test-t2v-random', name: 'Test' },
    ]);
    expect(ids(false, merged)).toEqual(['demo-t2v', 'test-t2v-random', 'sd-turbo', 'served-t2v']);
  });
});
