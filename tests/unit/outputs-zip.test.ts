/** Output archives: round trip, stored vs deflated by extension, unique names, zip-slip refused. */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildZip } from '../../src/engine/media/outputs-zip';

const enc = new TextEncoder();

/** Compression method of each local file header, keyed by file name. */
function methods(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out: Record<string, number> = {};
  let at = 0;
  while (at + 30 <= zip.length && view.getUint32(at, true) === 0x04034b50) {
    const method = view.getUint16(at + 8, true);
    const size = view.getUint32(at + 18, true);
    const nameLen = view.getUint16(at + 26, true);
    const extraLen = view.getUint16(at + 28, true);
    out[new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLen))] = method;
    at += 30 + nameLen + extraLen + size;
  }
  return out;
}

const text = enc.encode(JSON.stringify({ prompt: 'a cat '.repeat(200) }));
const media = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 256);

describe('buildZip', () => {
  it('round-trips through unzipSync', () => {
    const zip = buildZip([
      { name: 'clip.mp4', data: media },
      { name: 'clip.json', data: text },
      { name: 'empty.txt', data: new Uint8Array() },
    ]);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['clip.json', 'clip.mp4', 'empty.txt']);
    expect(files['clip.mp4']).toEqual(media);
    expect(files['clip.json']).toEqual(text);
    expect(files['empty.txt']).toEqual(new Uint8Array());
  });

  it('stores compressed media and deflates text', () => {
    const names = ['a.mp4', 'b.PNG', 'c.jpg', 'd.webm', 'e.zip', 'f.json', 'g.jsonl', 'h.txt'];
    const zip = buildZip(names.map((name) => ({ name, data: name.endsWith('.mp4') ? media : text })));
    expect(methods(zip)).toEqual({
      'a.mp4': 0,
      'b.PNG': 0,
      'c.jpg': 0,
      'd.webm': 0,
      'e.zip': 0,
      'f.json': 8,
      'g.jsonl': 8,
      'h.txt': 8,
    });
    expect(zip.length).toBeLessThan(media.length + 5 * text.length);
  });

  it('renames duplicates (case-insensitive) instead of overwriting', () => {
    const entries = ['out.mp4', 'out.mp4', 'OUT.mp4', 'out (2).mp4', 'notes', 'notes'].map((name, i) => ({
      name,
      data: Uint8Array.of(i),
    }));
    const files = unzipSync(buildZip(entries));
    expect(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v[0]]))).toEqual({
      'out.mp4': 0,
      'out (2).mp4': 1,
      'OUT (3).mp4': 2,
      'out (2) (2).mp4': 3,
      notes: 4,
      'notes (2)': 5,
    });
  });

  it('refuses names that could escape the extraction folder', () => {
    for (const name of ['../evil.mp4', 'a/b.mp4', 'a\\b.mp4', '/etc/passwd', '..', '.', '', 'C:\\x.txt']) {
      expect(() => buildZip([{ name, data: new Uint8Array(1) }]), name).toThrow(/Refusing zip entry name/);
    }
    expect(() => buildZip([{ name: 'ok..mp4', data: new Uint8Array(1) }])).not.toThrow();
  });
});
