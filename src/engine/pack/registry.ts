/**
 * public/models/registry.json: the packs this build knows, by id, with where to read them and,
 * for real (remote) packs, where their files are published, their sizes, licence and what a
 * device needs to run them.
 */
import { EngineError } from '../errors';
import { PIPELINES, type Pipeline } from './manifest';
import { FieldErrors, type Json } from './validate-helpers';

/** One file of a remote pack, relative to `source.url` (or from its own `url`). */
export interface RegistryFile {
  path: string;
  /** Absolute https URL of a file taken from another repository (pack.json gives the same `url`). */
  url?: string;
  /** Size in bytes; absent where the publisher gives none. */
  bytes?: number;
  /** The size is only known to ~MB (from a "649 MB"-style label). */
  approx?: true;
}

/** What a device needs to run a pack (conservative estimates, explained in `notes`). */
export interface PackRequirements {
  shaderF16: boolean;
  /** Largest single GPU buffer/tensor (weights or activations). */
  largestBufferBytes: number;
  /** GPU memory at the peak: the largest set of sessions and activations resident together. */
  peakGpuBytes: number;
  /**
   * Estimated working memory (activations inside the graphs) of the peak phase. With it, the
   * Models page computes the peak from pack.json's component sizes (pack/memory-plan.ts) + this.
   */
  workingBytes?: number;
  /** Main memory at the peak, JS-side tables and wasm heaps included. */
  peakCpuBytes: number;
  notes?: string;
}

export interface RegistryEntry {
  id: string;
  name: string;
  /**
   * Folder URL of the pack, relative to the registry file's location or absolute. For a remote
   * pack, the folder of its bundled pack.json header (its weights are at `source.url`).
   */
  url: string;
  /** Generated demo/test pack (labelled as such in the UI). */
  demo: boolean;
  /** Test-only packs are hidden from the model picker. */
  test: boolean;
  /** A real pack published elsewhere (has `source`): not bundled, its files must be downloaded. */
  remote: boolean;
  /** Where the files are published: `repo` like "hf:webnn/Z-Image-Turbo", `url` the https base of the files. */
  source?: { repo: string; url: string };
  license?: string;
  pipeline?: Pipeline;
  /** Files to download (empty for bundled packs). */
  files: RegistryFile[];
  requirements?: PackRequirements;
  /** Sum of the known file sizes. */
  bytes: number;
  /** Some file size is approximate. */
  bytesApprox: boolean;
  /** How many files have no published size. */
  unknownSizes: number;
  /** Installed in this browser's storage (OPFS): read from there, not from `url` (set by the engine worker, never by registry.json). */
  installed?: true;
  /** For an installed pack the registry does not know: the folder URL (or `local:<folder>`) it was installed from. */
  installedFrom?: string;
}

function parseSource(v: unknown, path: string, e: FieldErrors): RegistryEntry['source'] {
  const o = e.object(v, path);
  if (!o) return undefined;
  const repo = e.string(o.repo, `${path}.repo`);
  const url = e.string(o.url, `${path}.url`);
  if (url !== undefined && !/^https:\/\/.+\/$/.test(url))
    e.add(`${path}.url`, 'expected an https URL ending in "/"');
  return { repo: repo ?? '', url: url ?? '' };
}

function parseFiles(v: unknown, path: string, e: FieldErrors): RegistryFile[] {
  return (e.array(v, path) ?? []).map((f, i) => {
    const o: Json = e.object(f, `${path}[${i}]`) ?? {};
    const file: RegistryFile = { path: e.string(o.path, `${path}[${i}].path`) ?? '' };
    const url = e.string(o.url, `${path}[${i}].url`, { optional: true });
    if (url !== undefined && !/^https:\/\/[^/]+\/./.test(url))
      e.add(`${path}[${i}].url`, 'expected an absolute https URL of the file');
    else if (url !== undefined) file.url = url;
    const bytes = e.number(o.bytes, `${path}[${i}].bytes`, { min: 0, integer: true, optional: true });
    if (bytes !== undefined) file.bytes = bytes;
    if (o.approx !== undefined && o.approx !== true)
      e.add(`${path}[${i}].approx`, 'expected true or no value');
    else if (o.approx === true && bytes === undefined) e.add(`${path}[${i}].approx`, 'needs bytes');
    else if (o.approx === true) file.approx = true;
    return file;
  });
}

function parseRequirements(v: unknown, path: string, e: FieldErrors): PackRequirements | undefined {
  const o = e.object(v, path);
  if (!o) return undefined;
  if (typeof o.shaderF16 !== 'boolean') e.add(`${path}.shaderF16`, 'expected true or false');
  const size = (key: string) => e.number(o[key], `${path}.${key}`, { min: 0, integer: true }) ?? 0;
  const req: PackRequirements = {
    shaderF16: o.shaderF16 === true,
    largestBufferBytes: size('largestBufferBytes'),
    peakGpuBytes: size('peakGpuBytes'),
    peakCpuBytes: size('peakCpuBytes'),
  };
  const working = e.number(o.workingBytes, `${path}.workingBytes`, { min: 0, integer: true, optional: true });
  if (working !== undefined) req.workingBytes = working;
  const notes = e.string(o.notes, `${path}.notes`, { optional: true });
  if (notes !== undefined) req.notes = notes;
  return req;
}

function parseEntry(p: unknown, at: string, e: FieldErrors): RegistryEntry {
  const o = e.object(p, at) ?? {};
  const entry: RegistryEntry = {
    id: e.string(o.id, `${at}.id`) ?? '',
    name: e.string(o.name, `${at}.name`) ?? '',
    url: e.string(o.url, `${at}.url`) ?? '',
    demo: o.demo === true,
    test: o.test === true,
    remote: o.source !== undefined,
    files: o.files === undefined ? [] : parseFiles(o.files, `${at}.files`, e),
    bytes: 0,
    bytesApprox: false,
    unknownSizes: 0,
  };
  if (o.source !== undefined) entry.source = parseSource(o.source, `${at}.source`, e);
  const license = e.string(o.license, `${at}.license`, { optional: true });
  if (license !== undefined) entry.license = license;
  const pipeline = e.string(o.pipeline, `${at}.pipeline`, { optional: true, oneOf: PIPELINES });
  if (pipeline !== undefined) entry.pipeline = pipeline as Pipeline;
  if (o.requirements !== undefined)
    entry.requirements = parseRequirements(o.requirements, `${at}.requirements`, e);
  for (const f of entry.files) {
    if (f.bytes === undefined) entry.unknownSizes++;
    else entry.bytes += f.bytes;
    if (f.approx) entry.bytesApprox = true;
  }
  return entry;
}

export function parseRegistry(raw: unknown): RegistryEntry[] {
  const e = new FieldErrors();
  const root = e.object(raw, '(root)');
  const packs = e.array(root?.packs, 'packs') ?? [];
  const entries = packs.map((p, i) => parseEntry(p, `packs[${i}]`, e));
  if (e.list.length)
    throw new EngineError('invalid-manifest', `Invalid models/registry.json: ${e.list.join('; ')}.`);
  return entries;
}

export function findPack(entries: RegistryEntry[], id: string): RegistryEntry {
  const entry = entries.find((p) => p.id === id);
  if (!entry)
    throw new EngineError(
      'invalid-request',
      `Unknown model pack "${id}". Known packs: ${entries.map((p) => p.id).join(', ')}.`,
      { packId: 'unknown pack' },
    );
  return entry;
}
