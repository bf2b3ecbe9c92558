/** Model registry (src/engine/pack/registry.ts): the shipped registry.json parses (bundled and
 * remote packs, with derived download totals), unknown ids list the known ones, and malformed
 * entries are 'invalid-manifest' by path. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPack, parseRegistry } from '../../src/engine/pack/registry';
import { thrown } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';

const entries = parseRegistry(JSON.parse(readFileSync(join(PACKS_DIR, 'registry.json'), 'utf8')));
const REAL = [
  'z-image-turbo',
  'sdxl-turbo',
  'sd-turbo',
  'fastwan2.2-ti2v-5b',
  'matanyone2',
  'sam-vit-b',
  'qwen2.5-0.5b-instruct',
  'florence-2-base-ft',
];

describe('parseRegistry', () => {
  it('parses public/models/registry.json', () => {
    expect(entries.map((e) => [e.id, e.url, e.demo, e.test, e.remote])).toEqual([
      ['demo-t2v', 'demo-t2v/', true, false, false],
      ['test-t2v-random', 'test-t2v-random/', true, true, false],
      ['demo-sam', 'demo-sam/', true, false, false],
      ['demo-matanyone', 'demo-matanyone/', true, false, false],
      ...REAL.map((id) => [id, `${id}/`, false, false, true]),
    ]);
  });

  it('points every entry at a pack.json this build ships (no entry points at nothing)', () => {
    const missing = entries.filter((e) => !existsSync(join(PACKS_DIR, e.url, 'pack.json'))).map((e) => e.id);
    expect(missing).toEqual([]);
  });

  it('bundled packs have a licence and pipeline but no source, files or requirements', () => {
    expect(findPack(entries, 'demo-t2v')).toEqual({
      id: 'demo-t2v',
      name: 'WebGP demo pack (analytic, not a real model)',
      url: 'demo-t2v/',
      demo: true,
      test: false,
      remote: false,
      license: 'MIT',
      pipeline: 't2v-flow-dit',
      files: [],
      bytes: 0,
      bytesApprox: false,
      unknownSizes: 0,
    });
  });

  it('every real pack names its source, licence, pipeline, files and requirements', () => {
    for (const id of REAL) {
      const e = findPack(entries, id);
      expect(e.source?.repo).toMatch(/^hf:[\w.-]+\/[\w.-]+$/);
      expect(e.source?.url).toBe(`https://huggingface.co/${e.source?.repo.slice(3)}/resolve/main/`);
      expect(e.license && e.pipeline && e.requirements?.notes).toBeTruthy();
      expect(e.files.length).toBeGreaterThan(0);
    }
    expect(REAL.map((id) => [id, findPack(entries, id).license, findPack(entries, id).pipeline])).toEqual([
      ['z-image-turbo', 'Apache-2.0', 't2i-flow-dit'],
      ['sdxl-turbo', 'sai-nc-community', 't2i-eps-unet'],
      ['sd-turbo', 'sai-nc-community', 't2i-eps-unet'],
      ['fastwan2.2-ti2v-5b', 'Apache-2.0', 't2v-flow-dit'],
      ['matanyone2', 'S-Lab-1.0', 'matting-memory'],
      ['sam-vit-b', 'Apache-2.0', 'segment-points'],
      ['qwen2.5-0.5b-instruct', 'Apache-2.0', 'prompt-llm'],
      ['florence-2-base-ft', 'MIT', 'image-captioner'],
    ]);
  });

  it('derives the download total, whether it is approximate, and how many sizes are unknown', () => {
    expect(
      REAL.map((id) => findPack(entries, id)).map((e) => [
        e.id,
        e.bytes,
        e.bytesApprox,
        e.unknownSizes,
        e.files.length,
      ]),
    ).toEqual([
      // 690,765,724 + 1,526,231,040 + 1,675,741,721 + 2,025,062,400 + 99,284,482 + 3,235 + 905 + 7,335,749 + 5,404
      ['z-image-turbo', 6_024_430_660, false, 0, 9],
      // 124,433,929 + 483,677,630 + 1,965,607,674 + 97,617,257 + the webnn demo's two tokenizer.json (2,224,108 + 2,224,281)
      ['sdxl-turbo', 2_675_784_879, false, 0, 6],
      // three graphs labelled in the WebNN export; the tokenizer's vocab.json and merges.txt unsized
      ['sd-turbo', 2_353_500_000, true, 2, 5],
      // embedding 1,050,148,864 + scales 512,768 + 24 × ~108.6 MB + shell_pre 179,722,412 + 30 × ~92 MB + VAE 29,549,754 + tokenizer 16,837,459 (from Wan-AI)
      ['fastwan2.2-ti2v-5b', 6_643_171_257, true, 56, 115],
      ['matanyone2', 0, false, 5, 5],
      ['sam-vit-b', 186_700_000, true, 0, 2],
      // the q4f16 decoder labelled 483 MB; tokenizer.json unsized
      ['qwen2.5-0.5b-instruct', 483_000_000, true, 1, 2],
      // four fp32 graphs labelled 367 + 158 + 173 + 388 MB; tokenizer.json unsized
      ['florence-2-base-ft', 1_086_000_000, true, 1, 5],
    ]);
  });

  it('keeps the requirements as published', () => {
    expect(findPack(entries, 'z-image-turbo').requirements).toMatchObject({
      shaderF16: true,
      largestBufferBytes: 2_025_062_400,
    });
    expect(REAL.filter((id) => findPack(entries, id).requirements?.shaderF16)).toEqual([
      'z-image-turbo',
      'sdxl-turbo',
      'sd-turbo',
      'fastwan2.2-ti2v-5b',
      'sam-vit-b',
      'qwen2.5-0.5b-instruct',
    ]);
  });

  it('reports malformed entries by path', () => {
    const e = thrown(() => parseRegistry({ packs: [{ id: 'x', name: 'X', url: 'x/' }, { id: 5 }] }));
    expect(e.code).toBe('invalid-manifest');
    expect(e.message).toBe(
      'Invalid models/registry.json: packs[1].id: expected a non-empty string; packs[1].name: expected a non-empty string; packs[1].url: expected a non-empty string.',
    );
  });

  it('reports malformed remote fields by path', () => {
    const e = thrown(() =>
      parseRegistry({
        packs: [
          {
            id: 'r',
            name: 'R',
            url: 'r/',
            source: { repo: 'hf:a/b', url: 'http://example.com/b' },
            license: '',
            pipeline: 't2v-unet',
            files: [{ path: 'a.onnx', bytes: -1 }, { path: 'b.onnx', approx: true }, { bytes: 1.5 }],
            requirements: { shaderF16: 'yes', largestBufferBytes: 1, peakGpuBytes: '2 GB' },
          },
        ],
      }),
    );
    expect(e.code).toBe('invalid-manifest');
    expect(e.message.split('; ')).toEqual([
      'Invalid models/registry.json: packs[0].files[0].bytes: must be at least 0',
      'packs[0].files[1].approx: needs bytes',
      'packs[0].files[2].path: expected a non-empty string',
      'packs[0].files[2].bytes: expected an integer',
      'packs[0].source.url: expected an https URL ending in "/"',
      'packs[0].license: expected a non-empty string',
      'packs[0].pipeline: "t2v-unet" is not supported. Should be one of: t2v-flow-dit, i2v-flow-dit, t2i-flow-dit, t2i-eps-unet, segment-points, matting-memory, prompt-llm, image-captioner',
      'packs[0].requirements.shaderF16: expected true or false',
      'packs[0].requirements.peakGpuBytes: expected a number',
      'packs[0].requirements.peakCpuBytes: expected a number.',
    ]);
  });

  it('a file from another repository keeps its own https url (FastWan’s tokenizer from Wan-AI)', () => {
    expect(findPack(entries, 'fastwan2.2-ti2v-5b').files.filter((f) => f.url)).toEqual([
      {
        path: 'tokenizer/tokenizer.json',
        bytes: 16_837_459,
        url: 'https://huggingface.co/Wan-AI/Wan2.1-VACE-14B-diffusers/resolve/main/tokenizer/tokenizer.json',
      },
    ]);
    const e = thrown(() =>
      parseRegistry({
        packs: [
          {
            id: 'r',
            name: 'R',
            url: 'r/',
            files: [
              { path: 'a.json', url: 'http://example.com/a.json' },
              { path: 'b.json', url: 'https://example.com/' },
            ],
          },
        ],
      }),
    );
    expect(e.message.split('; ')).toEqual([
      'Invalid models/registry.json: packs[0].files[0].url: expected an absolute https URL of the file',
      'packs[0].files[1].url: expected an absolute https URL of the file.',
    ]);
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
    expect(e.message).toBe(
      `Unknown model pack "wan-14b". Known packs: demo-t2v, test-t2v-random, demo-sam, demo-matanyone, ${REAL.join(', ')}.`,
    );
  });
});
