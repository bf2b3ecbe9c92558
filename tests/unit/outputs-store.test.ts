/** The outputs store (src/storage/outputs-store.ts) on fake-indexeddb: Blob round-trip, newest-first
 * listing, delete, unknown record versions skipped, and QuotaExceededError → 'storage-full'. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { db } from '../../src/storage/db';
import {
  deleteOutput,
  getOutput,
  listOutputs,
  type OutputRecord,
  outputFileNames,
  saveOutput,
} from '../../src/storage/outputs-store';
import { outputSettings } from '../../src/engine/settings';
import { rejection } from '../helpers/errors';
import { failNextWrite } from '../helpers/idb-faults';
import type { PackManifest } from '../../src/engine/pack/manifest';
import { smallRequest } from '../helpers/packs';

const manifest = { id: 'demo-t2v', version: '1.0.0', defaults: { fps: 16 } } as PackManifest;

function record(id: string, createdAt: number): OutputRecord {
  const settings = outputSettings(smallRequest('demo-t2v', { prompt: `clip ${id}` }), manifest, {
    backend: 'wasm',
    generationSeconds: 2,
    createdAt: new Date(createdAt),
  });
  return {
    version: 2,
    id,
    createdAt,
    fileName: `${id}.mp4`,
    kind: 'video',
    settings,
    media: new Blob([`mp4 bytes of ${id}`], { type: 'video/mp4' }),
    thumbnail: new Blob([Uint8Array.of(137, 80, 78, 71)], { type: 'image/png' }),
    width: 128,
    height: 128,
    frames: 9,
    encoder: 'ffmpeg',
  };
}

describe('outputs store', () => {
  it('saves, lists newest first, gets with Blobs intact, and deletes', async () => {
    await saveOutput(record('old', 1000));
    await saveOutput(record('new', 3000));
    await saveOutput(record('mid', 2000));
    expect((await listOutputs()).map((r) => r.id)).toEqual(['new', 'mid', 'old']);

    const got = await getOutput('mid');
    expect(got?.settings).toMatchObject({ prompt: 'clip mid' });
    expect(got?.media).toBeInstanceOf(Blob);
    expect(got?.media.type).toBe('video/mp4');
    expect(await got?.media.text()).toBe('mp4 bytes of mid');
    expect([...new Uint8Array((await got?.thumbnail.arrayBuffer()) ?? new ArrayBuffer(0))]).toEqual([
      137, 80, 78, 71,
    ]);

    await deleteOutput('mid');
    expect(await getOutput('mid')).toBeUndefined();
    expect((await listOutputs()).map((r) => r.id)).toEqual(['new', 'old']);
  });

  it('skips records of unknown versions when listing', async () => {
    await (await db()).put('outputs', { ...record('future', 9000), version: 3 }, 'future');
    expect((await listOutputs()).map((r) => r.id)).not.toContain('future');
  });

  it('upgrades version-1 records (MP4 under `video`) on read, keeping their blob', async () => {
    const v1: Record<string, unknown> = { ...record('v1', 500), version: 1 };
    v1.video = v1.media;
    delete v1.media;
    delete v1.kind;
    await (await db()).put('outputs', v1 as never, 'v1');
    const got = await getOutput('v1');
    expect(got).toMatchObject({ version: 2, kind: 'video', fileName: 'v1.mp4' });
    expect(got).not.toHaveProperty('video');
    expect(await got?.media.text()).toBe('mp4 bytes of v1');
    expect((await listOutputs()).map((r) => r.id)).toContain('v1');
    await deleteOutput('v1');
  });

  it('lists every saved file name, sidecars included', async () => {
    await saveOutput({ ...record('side', 6000), sidecar: { fileName: 'side.json', text: '{}' } });
    const names = await outputFileNames();
    expect(names.has('side.mp4')).toBe(true);
    expect(names.has('side.json')).toBe(true);
    await deleteOutput('side');
  });

  it('keeps a matting run as one record with its further files, whose names count as taken', async () => {
    const files = [
      {
        role: 'mask_alpha' as const,
        fileName: 'clip_alpha.mp4',
        blob: new Blob(['alpha'], { type: 'video/mp4' }),
      },
    ];
    await saveOutput({ ...record('clip_foreground', 7000), files });
    const got = await getOutput('clip_foreground');
    expect(got?.files?.map((f) => [f.role, f.fileName])).toEqual([['mask_alpha', 'clip_alpha.mp4']]);
    expect(await got?.files?.[0]?.blob.text()).toBe('alpha');
    expect((await outputFileNames()).has('clip_alpha.mp4')).toBe(true);
    await deleteOutput('clip_foreground');
  });

  it('maps QuotaExceededError to storage-full and keeps existing records', async () => {
    const before = (await listOutputs()).map((r) => r.id);
    failNextWrite();
    const err = await rejection(saveOutput(record('big', 5000)));
    expect(err.code).toBe('storage-full');
    expect(err.message).toMatch(/storage is full.*Delete old outputs from the Gallery/);
    expect((await listOutputs()).map((r) => r.id)).toEqual(before);
  });

  it('passes other storage errors through unchanged', async () => {
    failNextWrite(0, new DOMException('boom', 'InvalidStateError'));
    const err = await rejection(saveOutput(record('x', 1)));
    expect(err.name).toBe('InvalidStateError');
    expect(err.message).toBe('boom');
  });
});
