/**
 * The real video packs' contracts run end to end on their generated mirrors (test-packs/, by
 * `npm run models`): SAM segmentation on test-sam (size fed by the shape of orig_im_size_shape),
 * the matting loop on test-matanyone2 (graphs without the inputs the real export drops: ORT-node
 * rejects a feed the graph does not declare, so these runs fail if they are fed), and bank padding
 * for a propagate graph with a fixed memory length T > 1.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryBank } from '../../src/engine/matting/memory-bank';
import { parseMediaManifestText } from '../../src/engine/pack/media-manifest';
import { folderReader } from '../../src/cli/pack-folder';
import { verifyGraphs } from '../../src/engine/pack/verify-graphs';
import { writeTestMatAnyone2 } from '../../tools/matting-packs/test-packs';
import { iou, movingDisc } from '../helpers/clip';
import { rejection } from '../helpers/errors';
import { diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { cpuEngine, editManifest } from '../helpers/packs';
import { openGraph, readPackFile, TEST_PACKS_DIR } from '../helpers/test-packs';

const clip = movingDisc(96, 64, 12);
const testPackEngine = (dir = TEST_PACKS_DIR) => cpuEngine((id) => diskPackSource(id, dir));
const copyFrame = (f: (typeof clip.frames)[number]) => ({ ...f, data: Uint8ClampedArray.from(f.data) });
const open = (packId: string) => ({
  packId,
  width: 96,
  height: 64,
  firstFrame: clip.frames[0]!,
  firstMask: clip.truth[0]!,
  warmupFrames: 3,
  erode: 0,
  dilate: 0,
});

/** Inputs a test pack graph declares, read from the file by onnxruntime-node. */
async function graphInputs(id: string, file: string): Promise<readonly string[]> {
  const session = await openGraph(id, { file, externalData: [] });
  try {
    return session.inputNames;
  } finally {
    await session.release();
  }
}

/** Mattes the whole clip with `packId` and returns the lowest alpha IoU against the true disc. */
async function matteClip(engine: ReturnType<typeof cpuEngine>, packId: string): Promise<number> {
  await engine.mattingOpen('job', open(packId));
  let worst = 1;
  for (let f = 0; f < clip.frames.length; f++) {
    const alpha = await engine.mattingFrame('job', copyFrame(clip.frames[f]!));
    worst = Math.min(worst, iou(alpha, clip.truth[f]!));
    const c = clip.centres[f]!;
    expect(alpha.data[Math.round(c.y) * 96 + Math.round(c.x)], `frame ${f} centre`).toBeGreaterThan(240);
  }
  await engine.mattingClose('job');
  return worst;
}

describe('test-sam (sam-vit-b contract)', () => {
  it('a click on the disc gives its mask (IoU ≥ 0.95) through the size-by-shape decoder input', async () => {
    expect(
      await graphInputs('test-sam', 'onnx/sam_vit_b_01ec64.decoder-orig-img-size-dynamic-fp16.onnx'),
    ).toContain('orig_im_size_shape');
    const engine = testPackEngine();
    for (const f of [0, 7]) {
      const { embeddingId } = await engine.segmentEmbed('test-sam', clip.frames[f]!);
      const c = clip.centres[f]!;
      const mask = await engine.segmentPoints('test-sam', embeddingId, [{ x: c.x, y: c.y, positive: true }]);
      expect(mask).toMatchObject({ width: 96, height: 64 });
      expect(iou(mask, clip.truth[f]!)).toBeGreaterThanOrEqual(0.95);
    }
    await engine.dispose();
  });
});

describe('test-matanyone2 (matanyone2 contract)', () => {
  it('its graphs lack the inputs the real export drops, and the loop mattes every frame without feeding them (IoU ≥ 0.9)', async () => {
    const refine = await graphInputs(
      'test-matanyone2',
      'matanyone2_onnx_1024_bs1/matanyone2_first_frame_refine.onnx',
    );
    const propagate = await graphInputs(
      'test-matanyone2',
      'matanyone2_onnx_1024_bs1/matanyone2_propagate.onnx',
    );
    expect(refine).not.toContain('f16');
    expect(refine).toContain('last_msk_value');
    expect(propagate).not.toContain('f16');
    expect(propagate).not.toContain('last_msk_value');
    const engine = testPackEngine();
    expect(await matteClip(engine, 'test-matanyone2')).toBeGreaterThanOrEqual(0.9);
    await engine.dispose();
  });

  it('a mapped input that is not marked ifDeclared must be in the graph (named at load)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'webgp-ma2-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    writeTestMatAnyone2(join(dir, 'test-matanyone2'));
    await editManifest(dir, 'test-matanyone2', (m) => {
      delete (m.components as Record<string, Record<string, unknown>>).propagate!.ifDeclared;
    });
    const engine = testPackEngine(dir);
    const err = await rejection(engine.mattingOpen('job', open('test-matanyone2')));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('matanyone2_onnx_1024_bs1/matanyone2_propagate.onnx');
    expect(err.message).toMatch(/no input (named )?"(f16|last_msk_value)"/);
    await engine.dispose();
  });
});

/** The install-time graph check of a parsed pack.json (verify-graphs.ts) over a folder on disk. */
const installCheck = (text: string, dir: string) =>
  verifyGraphs(parseMediaManifestText(text), folderReader(dir));

describe('install-time graph check of test-matanyone2', () => {
  it('passes with the dropped inputs marked ifDeclared, and names the graph and the input without the mark', async () => {
    const dir = join(TEST_PACKS_DIR, 'test-matanyone2');
    const text = await readFile(join(dir, 'pack.json'), 'utf8');
    await installCheck(text, dir);
    const m = JSON.parse(text) as { components: Record<string, { ifDeclared?: string[] }> };
    delete m.components.firstFrameRefine!.ifDeclared;
    const err = await rejection(installCheck(JSON.stringify(m), dir));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('matanyone2_onnx_1024_bs1/matanyone2_first_frame_refine.onnx');
    expect(err.message).toContain('"f16"');
  });
});

describe('memory bank padding for a fixed memory length', () => {
  /** A propagate graph exported with T = 3 (memEvery 2, maxMemFrames 3), written to a temp folder. */
  async function fixedT3(edit?: (m: Record<string, unknown>) => void): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'webgp-ma2-t3-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    writeTestMatAnyone2(join(dir, 'test-matanyone2-t3'), 'test-matanyone2-t3', 3);
    if (edit) await editManifest(dir, 'test-matanyone2-t3', edit);
    return dir;
  }

  it('the loop runs a T = 3 graph from the first frame on (the bank is padded) and mattes every frame', async () => {
    const dir = await fixedT3();
    const session = await ort.InferenceSession.create(
      readPackFile('test-matanyone2', 'matanyone2_onnx_1024_bs1/matanyone2_propagate.onnx'),
    );
    // The real mirror fixes T = 1; the variant fixes 3, so an unpadded one-frame bank would be refused by ORT.
    expect(
      (session.inputMetadata.find((v) => v.name === 'memory_key') as { shape: readonly unknown[] }).shape[2],
    ).toBe(1);
    await session.release();
    const engine = testPackEngine(dir);
    expect(await matteClip(engine, 'test-matanyone2-t3')).toBeGreaterThanOrEqual(0.9);
    await engine.dispose();
  });

  it('refuses a pack whose maxMemFrames exceeds the T the graph fixes, naming both', async () => {
    const dir = await fixedT3((m) => Object.assign(m.matting as object, { maxMemFrames: 5 }));
    const engine = testPackEngine(dir);
    const err = await rejection(engine.mattingOpen('job', open('test-matanyone2-t3')));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toBe(
      "matanyone2_onnx_1024_bs1/matanyone2_propagate.onnx fixes the memory length T at 3 (memory_key [1, 3, 3, 8, 8]), but pack.json's matting.maxMemFrames is 5. Set matting.maxMemFrames to 3 or less.",
    );
    await engine.dispose();
  });

  it('pads with copies of frame 0 right after it, keeps the newest frame last, and stacks along T', () => {
    const entry = (v: number) => ({
      key: Float32Array.of(v),
      shrinkage: Float32Array.of(v),
      value: Float32Array.of(v, 10 * v),
      objMemory: Float32Array.of(v),
    });
    const shapes = {
      key: { dims: [1, 1, 1, 1], axis: 2 },
      shrinkage: { dims: [1, 1, 1, 1], axis: 2 },
      value: { dims: [1, 1, 2, 1, 1], axis: 3 },
      objMemory: { dims: [1, 1, 1, 1], axis: 2 },
    };
    const fixed = new MemoryBank(shapes, 3, 3);
    const free = new MemoryBank(shapes, 3);
    const keys = (b: MemoryBank) => b.order().map((e) => e.key[0] as number);
    const seen: number[][] = [];
    for (const v of [1, 2, 3, 4, 5]) {
      fixed.add(entry(v));
      free.add(entry(v));
      seen.push([...keys(fixed), -1, ...keys(free)]);
    }
    expect(seen).toEqual([
      [1, 1, 1, -1, 1],
      [1, 1, 2, -1, 1, 2],
      [1, 2, 3, -1, 1, 2, 3],
      [1, 3, 4, -1, 1, 3, 4],
      [1, 4, 5, -1, 1, 4, 5],
    ]);
    const feeds = new MemoryBank(shapes, 3, 3);
    feeds.add(entry(1));
    feeds.add(entry(2));
    const t = feeds.feeds(ortNodeModule);
    expect(t.memoryKey?.dims).toEqual([1, 1, 3, 1, 1]);
    expect([...(t.memoryKey?.data as Float32Array)]).toEqual([1, 1, 2]);
    // msk_value [1, 1, Cv = 2, T, h, w]: each channel holds its T values in order.
    expect(t.mskValue?.dims).toEqual([1, 1, 2, 3, 1, 1]);
    expect([...(t.mskValue?.data as Float32Array)]).toEqual([1, 1, 2, 10, 10, 20]);
  });
});
