/**
 * The parsers of user input the fuzz harness drives, each with its seeds and what counts as its
 * own (domain) error: an EngineError, or for the demuxer a NotDemuxable result. Anything else
 * thrown is a crash. Seeds are valid files made here (packs from `npm run models`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { EngineError } from '../../src/engine/errors';
import { parseLset } from '../../src/engine/lora/lset';
import { parseMultipliers } from '../../src/engine/lora/multipliers';
import { parseSafetensors } from '../../src/engine/lora/safetensors';
import { maskFromPng } from '../../src/engine/media/mask-png';
import { demuxMp4, NotDemuxable } from '../../src/engine/media/mp4/demux';
import { addPngText } from '../../src/engine/media/png-text';
import { applySettings, readSettingsObject } from '../../src/engine/metadata/settings-file';
import { renderName } from '../../src/engine/naming';
import { parseAnyManifestText } from '../../src/engine/pack/any-manifest';
import { parseManifestText, type PackManifest } from '../../src/engine/pack/manifest';
import { manifestFiles } from '../../src/engine/pack/pack-files';
import { exportQueue, importQueue } from '../../src/engine/queue/queue-file';
import { defaultRequest } from '../../src/engine/request';
import { requestParams } from '../../src/engine/settings';
import { box, buildMp4 } from './mp4-build';
import { mutatedBytes, mutatedJson, textOver } from './mutate';
import { tinyPng, withZtxt } from './png-seed';

export interface FuzzTarget {
  name: string;
  input: fc.Arbitrary<unknown>;
  /** Valid inputs the parser must accept (the mutation seeds). */
  seeds: unknown[];
  /** Runs the parser; throws its own error (see `isOwnError`) when it refuses the input. */
  parse(input: unknown): Promise<unknown>;
}

/** Whether `err` is the parser's own, named refusal (not a crash). */
export const isOwnError = (err: unknown) => err instanceof EngineError || err instanceof NotDemuxable;

const ROOT = join(import.meta.dirname, '../..');
const enc = (s: string) => new TextEncoder().encode(s);

function packJsonTexts(): string[] {
  const dirs = ['public/models', 'test-packs'].map((d) => join(ROOT, d)).filter(existsSync);
  const files = dirs.flatMap((d) => readdirSync(d).map((p) => join(d, p, 'pack.json'))).filter(existsSync);
  if (!files.length) throw new Error('No pack.json seeds: run `npm run models` first.');
  return files.map((f) => readFileSync(f, 'utf8'));
}

function accepted(text: string): boolean {
  try {
    parseAnyManifestText(text);
    return true;
  } catch {
    return false;
  }
}

/** Builds every target; reads the generated packs for seeds. */
export async function fuzzTargets(): Promise<FuzzTarget[]> {
  // Seeds: the generated packs this version runs (real packs it only describes are left out).
  const packs = packJsonTexts()
    .filter(accepted)
    .map((t) => JSON.parse(t) as unknown);
  const manifest: PackManifest = parseManifestText(
    readFileSync(join(ROOT, 'public/models/demo-t2v/pack.json'), 'utf8'),
  );
  const request = defaultRequest(manifest, 'a red ball');
  const params = {
    ...requestParams(request),
    type: 'WanGP v8 - t2v',
    activated_loras: ['a.safetensors'],
    loras_multipliers: '1 0.5;0.2',
  };
  const lset = {
    loras: ['a.safetensors', 'b.safetensors'],
    loras_mult: '1 0.5;0.25,0.75',
    prompt: 'a cat',
    full_prompt: false,
  };
  const stHeader = JSON.stringify({
    __metadata__: { format: 'pt' },
    'lora_unet_x.lora_down.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
    'lora_unet_x.lora_up.weight': { dtype: 'F16', shape: [2, 2], data_offsets: [16, 24] },
  });
  const stSeed = Uint8Array.from([
    ...new Uint8Array(new BigUint64Array([BigInt(stHeader.length)]).buffer),
    ...enc(stHeader),
    ...new Uint8Array(24),
  ]);
  const png = tinyPng();
  const settingsJson = JSON.stringify(params);
  const ilst = box('ilst', box('\u00a9cmt', box('data', [0, 0, 0, 1, 0, 0, 0, 0], [...enc(settingsJson)])));
  const mp4Comment = Uint8Array.from([
    ...box('ftyp', [...enc('isom')], [0, 0, 2, 0]),
    ...box('moov', box('udta', box('meta', [0, 0, 0, 0], box('hdlr', new Array(24).fill(0)), ilst))),
  ]);
  const settingsSeeds = [
    enc(settingsJson),
    addPngText(png, 'comment', settingsJson),
    withZtxt(png, 'comment', settingsJson),
    mp4Comment,
  ];
  const queueSeed = await exportQueue([
    { id: 't1', request, media: { image_end: new Blob([png], { type: 'image/png' }) } },
    { id: 't2', request: { ...request, seed: 3 } },
  ]);
  const queueJson = [
    { id: 't1', params: { ...params, image_end: 'media/1_image_end.png' } },
    { id: 't2', params },
  ];
  const manifestFor = (id: string) => (id === manifest.id ? manifest : undefined);
  const mp4Seeds = [buildMp4(), buildMp4({ samples: 9, width: 320, height: 240 })];
  const pngSeeds = [png, tinyPng(3, 2, 0)];
  const templates = ['{date}_{seed}_{prompt(20)}', '{date(YYYY-MM-DD_HH-mm-ss)} {pack} {steps}', 'out'];

  return [
    {
      name: 'pack.json',
      input: mutatedJson(packs),
      seeds: packs.map((p) => JSON.stringify(p)),
      parse: async (text) => manifestFiles(parseAnyManifestText(text as string)),
    },
    {
      name: '.lset',
      input: mutatedJson([lset]),
      seeds: [JSON.stringify(lset)],
      parse: async (text) => parseLset(text as string, 'p.lset'),
    },
    {
      name: 'safetensors header',
      input: mutatedBytes([stSeed]),
      seeds: [stSeed],
      parse: (bytes) => parseSafetensors(bytes as Uint8Array, 'l.safetensors'),
    },
    {
      name: 'settings file',
      input: fc.oneof(mutatedBytes(settingsSeeds), mutatedJson([params]).map(enc)),
      seeds: settingsSeeds,
      parse: async (bytes) =>
        applySettings(await readSettingsObject('s', bytes as Uint8Array), request, manifest),
    },
    {
      name: 'queue.zip',
      input: fc.oneof(
        mutatedBytes([queueSeed]),
        mutatedJson([queueJson]).map((t) =>
          zipSync({ 'queue.json': strToU8(t), 'media/1_image_end.png': png }),
        ),
      ),
      seeds: [queueSeed],
      parse: async (bytes) => importQueue(bytes as Uint8Array, 'q.zip', manifestFor, [manifest.id]),
    },
    {
      name: 'mp4 demuxer',
      input: mutatedBytes(mp4Seeds),
      seeds: mp4Seeds,
      parse: async (bytes) => {
        const r = await demuxMp4(new Blob([bytes as Uint8Array<ArrayBuffer>]));
        if (!r.ok) throw r.error;
        return r.video;
      },
    },
    {
      name: 'mask png',
      input: mutatedBytes(pngSeeds),
      seeds: pngSeeds,
      parse: async (bytes) => maskFromPng(bytes as Uint8Array, 'm.png'),
    },
    {
      name: 'lora multipliers',
      input: textOver('0123456789.,;|# \n-+eE', 48),
      seeds: ['1 0.5;0.2,0.3\n# a comment\n1'],
      parse: async (text) => parseMultipliers(text as string, 4),
    },
    {
      name: 'naming template',
      input: fc.oneof(textOver('{}()datepromsYMDHhs_-:/\\. 0123456789', 48), fc.constantFrom(...templates)),
      seeds: templates,
      parse: async (t) =>
        renderName(t as string, {
          date: new Date(0),
          seed: 1,
          prompt: 'a <b> cat/../x',
          steps: 4,
          pack: 'demo',
        }),
    },
  ];
}
