/** public/models/registry.json: the packs this build knows, by id, with where to read them. */
import { EngineError } from '../errors';
import { FieldErrors } from './validate-helpers';

export interface RegistryEntry {
  id: string;
  name: string;
  /** Folder URL of the pack, relative to the registry file's location or absolute. */
  url: string;
  /** Generated demo/test pack (labelled as such in the UI). */
  demo: boolean;
  /** Test-only packs are hidden from the model picker. */
  test: boolean;
}

export function parseRegistry(raw: unknown): RegistryEntry[] {
  const e = new FieldErrors();
  const root = e.object(raw, '(root)');
  const packs = e.array(root?.packs, 'packs') ?? [];
  const entries = packs.map((p, i) => {
    const o = e.object(p, `packs[${i}]`) ?? {};
    return { id: e.string(o.id, `packs[${i}].id`) ?? '', name: e.string(o.name, `packs[${i}].name`) ?? '', url: e.string(o.url, `packs[${i}].url`) ?? '', demo: o.demo === true, test: o.test === true };
  });
  if (e.list.length) throw new EngineError('invalid-manifest', `Invalid models/registry.json: ${e.list.join('; ')}.`);
  return entries;
}

export function findPack(entries: RegistryEntry[], id: string): RegistryEntry {
  const entry = entries.find((p) => p.id === id);
  if (!entry) throw new EngineError('invalid-request', `Unknown model pack "${id}". Known packs: ${entries.map((p) => p.id).join(', ')}.`, { packId: 'unknown pack' });
  return entry;
}
