/**
 * Installing and importing take any pack.json: generation packs and video (SAM / MatAnyone) packs
 * alike give the files to fetch and the graphs to check; a wrong field is still named by path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMediaManifest, parseAnyManifestText } from '../../src/engine/pack/any-manifest';
import type { MattingManifest, SegmentManifest } from '../../src/engine/pack/media-manifest';
import { manifestFiles, manifestGraphs } from '../../src/engine/pack/pack-files';

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models');
const text = (id: string) => readFileSync(join(MODELS, id, 'pack.json'), 'utf8');

describe('parseAnyManifestText', () => {
  it('reads a matting pack: its four graphs are the files and the graph contracts', () => {
    const m = parseAnyManifestText(text('demo-matanyone'));
    expect(isMediaManifest(m)).toBe(true);
    const graphs = manifestGraphs(m).map((g) => g.file);
    expect(graphs).toHaveLength(4);
    expect(manifestFiles(m).map((f) => f.path)).toEqual(graphs);
    expect(Object.values((m as MattingManifest).components.propagate.inputs)).toContain('memory_key');
  });

  it('reads a segment pack: encoder then decoder', () => {
    const m = parseAnyManifestText(text('demo-sam'));
    expect(m.pipeline).toBe('segment-points');
    const { encoder, decoder } = (m as SegmentManifest).components;
    expect(manifestGraphs(m).map((g) => g.file)).toEqual([encoder.file, decoder.file]);
    expect([encoder.inputs.image, decoder.inputs.embeddings]).toEqual(['input_image', 'image_embeddings']);
  });

  it('reads a generation pack with its tokenizer first', () => {
    const m = parseAnyManifestText(text('demo-t2v'));
    expect(isMediaManifest(m)).toBe(false);
    expect(manifestFiles(m)[0]?.path).toBe('tokenizer.json');
  });

  it('names the wrong field of a video pack', () => {
    const raw = JSON.parse(text('demo-sam')) as { segment: { inputSize: unknown } };
    raw.segment.inputSize = 'big';
    expect(() => parseAnyManifestText(JSON.stringify(raw))).toThrow(/segment\.inputSize/);
  });
});
