/** Output file names (src/engine/naming.ts): reserved/control characters, trailing dots and spaces,
 * Windows device names, the length cap, and the `{date}_seed{seed}_{prompt}.mp4` pattern. */
import { describe, expect, it } from 'vitest';
import { outputFileName, sanitizeFileName } from '../../src/engine/naming';

describe('sanitizeFileName', () => {
  it('replaces / \\ : * ? " < > | with underscores', () => {
    expect(sanitizeFileName('a/b\\c:d*e?f"g<h>i|j')).toBe('a_b_c_d_e_f_g_h_i_j');
  });

  it('replaces control characters (tabs and newlines too) and collapses spaces', () => {
    expect(sanitizeFileName('tab\there\u0001nul\u0000del\u007f')).toBe('tab_here_nul_del_');
    expect(sanitizeFileName('two\nlines   and  spaces')).toBe('two_lines and spaces');
  });

  it('trims leading and trailing dots and spaces', () => {
    expect(sanitizeFileName('  ..name. . ')).toBe('name');
    expect(sanitizeFileName('...')).toBe('untitled');
    expect(sanitizeFileName('')).toBe('untitled');
  });

  it.each([
    ['CON', '_CON'],
    ['nul', '_nul'],
    ['COM1', '_COM1'],
    ['lpt9', '_lpt9'],
    ['console', 'console'],
  ])('guards Windows device name %s → %s', (name, safe) => {
    expect(sanitizeFileName(name)).toBe(safe);
  });

  it('caps the length and trims what the cut leaves at the end', () => {
    expect(sanitizeFileName('x'.repeat(300))).toHaveLength(120);
    expect(sanitizeFileName(`${'y'.repeat(118)} .tail`)).toBe('y'.repeat(118));
    expect(sanitizeFileName('abcdef', 3)).toBe('abc');
  });

  it('keeps non-ASCII letters (NFC-normalised)', () => {
    expect(sanitizeFileName('cafe\u0301 日本')).toBe('café 日本');
  });
});

describe('outputFileName', () => {
  const date = new Date(2025, 0, 2, 3, 4, 5);

  it('is {date}_seed{seed}_{prompt}.mp4', () => {
    expect(outputFileName({ date, seed: 42, prompt: 'a red ball', ext: 'mp4' })).toBe('2025-01-02-03h04m05s_seed42_a red ball.mp4');
  });

  it('sanitises the prompt and cuts it to 50 characters', () => {
    const name = outputFileName({ date, seed: 7, prompt: `what?\na/b  ${'z'.repeat(80)}`, ext: 'mp4' });
    expect(name).toBe(`2025-01-02-03h04m05s_seed7_what_ a_b ${'z'.repeat(40)}.mp4`);
  });

  it('gives a usable name for an empty prompt', () => {
    expect(outputFileName({ date, seed: 0, prompt: '  ', ext: 'mp4' })).toBe('2025-01-02-03h04m05s_seed0_.mp4');
  });
});
