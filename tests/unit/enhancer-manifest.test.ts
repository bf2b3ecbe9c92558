/**
 * The prompt enhancer's packs install like any pack: their pack.json parses into the files to
 * fetch (tokenizer first, then the graphs, with what pack.json pins), bad fields are named, an
 * installed one is listed with its pipeline (so the Model picker leaves it out), and "Test this
 * pack" reports its load and enhance/caption stages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import {
  installFiles,
  isEnhancerManifest,
  parseInstallableManifestText,
} from '../../src/engine/pack/installable-manifest';
import { mergeInstalled, pickerPacks } from '../../src/engine/pack/pack-list';
import { runEnhancerPackTest } from '../../src/engine/pack-test/run-enhancer-pack-test';

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models');
const text = (id: string) => readFileSync(join(MODELS, id, 'pack.json'), 'utf8');

describe('enhancer pack.json as the installer reads it', () => {
  it('the Qwen2.5 LLM pack: tokenizer.json, then the q4f16 graph', () => {
    const m = parseInstallableManifestText(text('qwen2.5-0.5b-instruct'));
    expect(isEnhancerManifest(m)).toBe(true);
    expect(installFiles(m).map((f) => f.path)).toEqual(['tokenizer.json', 'onnx/model_q4f16.onnx']);
  });

  it('the Florence-2 captioner pack: tokenizer.json, then its four graphs in load order', () => {
    const m = parseInstallableManifestText(text('florence-2-base-ft'));
    expect(m.pipeline).toBe('image-captioner');
    expect(installFiles(m).map((f) => f.path)).toEqual([
      'tokenizer.json',
      'onnx/vision_encoder.onnx',
      'onnx/embed_tokens.onnx',
      'onnx/encoder_model.onnx',
      'onnx/decoder_model_merged.onnx',
    ]);
  });

  it('the generated test packs pin every file by bytes and sha256', () => {
    for (const id of ['test-llm', 'test-captioner']) {
      const files = installFiles(parseInstallableManifestText(text(id)));
      expect(files.length).toBeGreaterThan(1);
      for (const f of files) {
        expect(f.bytes).toBeGreaterThan(0);
        expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it('names every bad identity or tokenizer field, and the bad field of the llm section', () => {
    const raw = JSON.parse(text('qwen2.5-0.5b-instruct')) as Record<string, unknown>;
    const bad = { ...raw, id: '', tokenizer: { file: 'tokenizer.json', sha256: 'abc' } };
    const err = (() => {
      try {
        parseInstallableManifestText(JSON.stringify(bad));
      } catch (e) {
        return e as EngineError;
      }
    })();
    expect(err?.code).toBe('invalid-manifest');
    expect(Object.keys(err?.fields ?? {})).toEqual(['id', 'tokenizer.sha256']);
    const llm = { ...(raw.llm as object), kvDtype: 'int8' };
    expect(() => parseInstallableManifestText(JSON.stringify({ ...raw, llm }))).toThrow(/llm\.kvDtype/);
  });

  it('an installed enhancer pack keeps its pipeline in the pack list, so the Model picker leaves it out', () => {
    const installed = [
      { id: 'my-llm', name: 'My LLM', baseUrl: 'http://x/', manifestText: text('test-llm'), files: [] },
    ];
    const [entry] = mergeInstalled([], installed);
    expect(entry?.pipeline).toBe('prompt-llm');
    expect(pickerPacks(mergeInstalled([], installed), true)).toEqual([]);
  });
});

describe('runEnhancerPackTest', () => {
  let t = 0;
  const now = () => (t += 5);

  it('passes with the text the enhance stage wrote, timing load and enhance', async () => {
    const r = await runEnhancerPackTest('p', {
      backend: 'wasm',
      stage: 'enhance',
      open: async () => {},
      run: async () => 'a cinematic shot',
      now,
    });
    expect(r.pass).toBe(true);
    expect(r.stages.map((s) => [s.stage, s.ms, s.text])).toEqual([
      ['load', 5, undefined],
      ['enhance', 5, 'a cinematic shot'],
    ]);
  });

  it('fails on empty text, and names the stage an error came from', async () => {
    const empty = await runEnhancerPackTest('p', {
      backend: 'wasm',
      stage: 'caption',
      open: async () => {},
      run: async () => '',
      now,
    });
    expect([empty.pass, empty.reason]).toEqual([false, 'caption: wrote no text']);
    const broken = await runEnhancerPackTest('p', {
      backend: 'wasm',
      stage: 'caption',
      open: () => Promise.reject(new EngineError('corrupt-model', 'Model file x is corrupt.')),
      run: async () => 'never',
      now,
    });
    expect(broken.reason).toBe('load: corrupt-model: Model file x is corrupt.');
    expect(broken.stages).toEqual([]);
  });
});
