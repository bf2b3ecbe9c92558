/** Model registry (src/engine/pack/registry.ts): the shipped registry.json parses, unknown ids
 * list the known ones, and malformed entries are 'invalid-manifest' by path. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPack, parseRegistry } from '../../src/engine/pack/registry';
import { thrown } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';

const entries = parseRegistry(JSON.parse(readFileSync(join(PACKS_DIR, 'registry.json'), 'utf8')));

describe('parseRegistry', () => {
  it('parses public/models/registry.json', () => {
    expect(entries.map((e) => [e.id, e.url, e.demo, e.test])).toEqual([
      ['demo-t2v', 'demo-t2v/', true, false],
      ['test-t2v-random', 'test-t2v-random/', true, true],
    ]);
  });

  it('reports malformed entries by path', () => {
    const e = thrown(() => parseRegistry({ packs: [{ id: 'x', name: 'X', url: 'x/' }, { id: 5 }] }));
    expect(e.code).toBe('invalid-manifest');
    expect(e.message).toBe('Invalid models/registry.json: packs[1].id: expected a non-empty string; packs[1].name: expected a non-empty string; packs[1].url: expected a non-empty string.');
  });

  it.each([[null], [[]], [{ packs: {} }]])('rejects the root %j', (raw) => {
    expect(thrown(() => parseRegistry(raw)).code).toBe('invalid-manifest');
  });
});

describe('findPack', () => {
  it('finds a pack by id', () => {
    expect(findPack(entries, 'test-t2v-random').name).toBe('Test pack (random weights)');
  });

  it('names the unknown id and lists the known ones', () => {
    const e = thrown(() => findPack(entries, 'wan-14b'));
    expect(e.code).toBe('invalid-request');
    expect(e.message).toBe('Unknown model pack "wan-14b". Known packs: demo-t2v, test-t2v-random.');
  });
});
