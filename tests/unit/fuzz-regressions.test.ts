/**
 * Inputs the fuzz harness (tools/fuzz) found or the probes named, kept as regression
 * tests: each is refused with the parser's named error and a message, never a raw TypeError or
 * zlib error.
 */
import { describe, expect, it } from 'vitest';
import { maskFromPng } from '../../src/engine/media/mask-png';
import { readSettingsObject } from '../../src/engine/metadata/settings-file';
import { renderName } from '../../src/engine/naming';
import { importQueue } from '../../src/engine/queue/queue-file';
import { strToU8, zipSync } from 'fflate';
import { tinyPng, withZtxt } from '../../tools/fuzz/png-seed';

describe('fuzz-found inputs', () => {
  it('a PNG whose zTXt comment chunk is damaged is an invalid-settings-file error (was "invalid bit length repeat")', async () => {
    const good = withZtxt(tinyPng(), 'comment', JSON.stringify({ prompt: 'hello', seed: 3 }));
    await expect(readSettingsObject('ok.png', good)).resolves.toEqual({ prompt: 'hello', seed: 3 });
    const bad = good.slice();
    const at = Buffer.from(bad).indexOf('zTXt') + 4 + 'comment'.length + 2 + 2; // into the deflate stream, past the zlib header
    bad.fill(0xff, at, at + 8);
    await expect(readSettingsObject('bad.png', bad)).rejects.toMatchObject({
      name: 'EngineError',
      code: 'invalid-settings-file',
      message: expect.stringMatching(
        /compressed "comment" text chunk is damaged .*Use the MP4 or a JSON settings file/,
      ),
    });
  });

  it('a zTXt chunk that inflates past 16 MB is refused, not inflated', async () => {
    const bomb = withZtxt(tinyPng(), 'comment', ' '.repeat(17 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    await expect(readSettingsObject('bomb.png', bomb)).rejects.toMatchObject({
      code: 'invalid-settings-file',
      message: expect.stringMatching(/inflates past 16777216 bytes/),
    });
  });

  it('a PNG text keyword "__proto__" is read as a key, not a prototype', async () => {
    const png = withZtxt(tinyPng(), '__proto__', '{}');
    await expect(readSettingsObject('p.png', png)).rejects.toMatchObject({
      code: 'invalid-settings-file',
      message: expect.stringMatching(/no settings text chunk/),
    });
  });

  it('an unbalanced naming template given to renderName is a named invalid-request error', () => {
    expect(() =>
      renderName('{seed', { date: new Date(0), seed: 1, prompt: 'p', steps: 1, pack: 'x' }),
    ).toThrow(expect.objectContaining({ name: 'EngineError', code: 'invalid-request' }));
  });

  it('a mask PNG claiming 65535×65535 pixels is refused before its data is inflated', () => {
    const png = tinyPng();
    new DataView(png.buffer).setUint32(16, 65535);
    new DataView(png.buffer).setUint32(20, 65535);
    expect(() => maskFromPng(png, 'huge.png')).toThrow(
      expect.objectContaining({
        code: 'invalid-mask',
        message: expect.stringMatching(
          /huge\.png is not a mask PNG we can read \(the image is 65535×65535, more than the 67108864 pixels/,
        ),
      }),
    );
  });

  it('a queue.zip whose end record claims 65535 entries in 600 bytes is refused at once (fflate walked them all: seconds)', () => {
    const zip = zipSync({ 'queue.json': strToU8(JSON.stringify([{ id: 't', params: { prompt: 'x' } }])) });
    const eocd = Buffer.from(zip).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const bad = zip.slice();
    new DataView(bad.buffer).setUint16(eocd + 8, 0xffff, true);
    new DataView(bad.buffer).setUint16(eocd + 10, 0xffff, true);
    expect(() => importQueue(bad, 'q.zip', () => undefined, [])).toThrow(
      expect.objectContaining({
        name: 'EngineError',
        code: 'invalid-queue-file',
        message: expect.stringMatching(/^q\.zip is not a queue file: its zip directory claims 65535 entries/),
      }),
    );
    expect(() => importQueue(zip, 'q.zip', () => undefined, [])).not.toThrow();
  });
});
