/** Output file names (src/engine/naming.ts): reserved/control characters, trailing dots and spaces,
 * Windows device names, the length cap, name templates and their validation, `name (2).ext` numbering,
 * and the `{date}_seed{seed}_{prompt}.mp4` pattern. */
import { describe, expect, it } from 'vitest';
import {
  availableFileName,
  DEFAULT_NAME_TEMPLATE,
  outputFileName,
  renderName,
  sanitizeFileName,
  validateNameTemplate,
} from '../../src/engine/naming';

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
    expect(outputFileName({ date, seed: 42, prompt: 'a red ball', ext: 'mp4' })).toBe(
      '2025-01-02-03h04m05s_seed42_a red ball.mp4',
    );
  });

  it('sanitises the prompt and cuts it to 50 characters', () => {
    const name = outputFileName({ date, seed: 7, prompt: `what?\na/b  ${'z'.repeat(80)}`, ext: 'mp4' });
    expect(name).toBe(`2025-01-02-03h04m05s_seed7_what_ a_b ${'z'.repeat(40)}.mp4`);
  });

  it('gives a usable name for an empty prompt', () => {
    expect(outputFileName({ date, seed: 0, prompt: '  ', ext: 'mp4' })).toBe(
      '2025-01-02-03h04m05s_seed0_.mp4',
    );
  });
});

describe('renderName', () => {
  // Local time, so the expected strings hold in any time zone.
  const ctx = {
    date: new Date(2025, 0, 2, 3, 4, 5),
    seed: 42,
    prompt: 'a red ball',
    steps: 8,
    pack: 'ltx-video',
  };

  it.each([
    ['{date}', '2025-01-02-03h04m05s'],
    ['{seed}', '42'],
    ['{prompt}', 'a red ball'],
    ['{prompt(5)}', 'a red'],
    ['{steps}', '8'],
    ['{pack}', 'ltx-video'],
    ['{pack}-{steps}steps-{seed}', 'ltx-video-8steps-42'],
    ['clip', 'clip'],
  ])('renders %s as %s', (template, name) => {
    expect(renderName(template, ctx)).toBe(name);
  });

  it('renders the default template like outputFileName without the extension', () => {
    expect(renderName(DEFAULT_NAME_TEMPLATE, ctx)).toBe('2025-01-02-03h04m05s_seed42_a red ball');
  });

  it.each([
    ['{date(YYYYMMDD_HHmm)}', '20250102_0304'],
    ['{date(YYYY-MM-DD HH.mm.ss)}', '2025-01-02 03.04.05'],
    ['{date(DD.MM.YY)}', '02.01.25'],
    ['{date(D M Y h s)}', 'D M Y h s'],
    ['{date(YYYY/MM/DD HH:mm)}', '2025_01_02 03_04'],
  ])('formats %s as %s', (template, name) => {
    expect(renderName(template, ctx)).toBe(name);
  });

  it('pads late-evening, end-of-year dates', () => {
    const date = new Date(2009, 11, 31, 23, 59, 9);
    expect(renderName('{date(YY-MM-DD_HH-mm-ss)}', { ...ctx, date })).toBe('09-12-31_23-59-09');
    expect(renderName('{date}', { ...ctx, date })).toBe('2009-12-31-23h59m09s');
  });

  it('collapses whitespace in the prompt and cuts it to 50 characters, or N with {prompt(N)}', () => {
    const prompt = `  a   cat\n\ton ${'z'.repeat(100)}  `;
    expect(renderName('{prompt}', { ...ctx, prompt })).toBe(`a cat on ${'z'.repeat(41)}`);
    expect(renderName('{prompt(12)}', { ...ctx, prompt })).toBe('a cat on zzz');
    expect(renderName('{prompt(200)}', { ...ctx, prompt })).toBe(`a cat on ${'z'.repeat(100)}`);
    expect(renderName('{prompt(3)}', { ...ctx, prompt: '🐱🐶🐭🐹' })).toBe('🐱🐶🐭');
  });

  it('never lets / \\ : * ? " < > | through, from the prompt or the template', () => {
    const name = renderName('{prompt}|{seed}?', { ...ctx, prompt: 'a/b\\c:d*e?f"g<h>i|j' });
    expect(name).toBe('a_b_c_d_e_f_g_h_i_j_42_');
    expect(name).not.toMatch(/[/\\:*?"<>|]/);
  });

  it('sanitises the whole name: device names, trailing dots, the length cap, empty results', () => {
    expect(renderName('{pack}', { ...ctx, pack: 'con' })).toBe('_con');
    expect(renderName('{prompt}...', ctx)).toBe('a red ball');
    expect(renderName('{prompt(200)}', { ...ctx, prompt: 'x'.repeat(200) })).toHaveLength(120);
    expect(renderName('{prompt}', { ...ctx, prompt: '   ' })).toBe('untitled');
  });

  it('throws the validation message for an invalid template', () => {
    expect(() => renderName('{foo}', ctx)).toThrow(
      'Unknown token {foo}. Use one of: {date}, {date(FMT)}, {seed}, {prompt}, {prompt(N)}, {steps}, {pack}.',
    );
  });
});

describe('validateNameTemplate', () => {
  it.each([DEFAULT_NAME_TEMPLATE, 'clip', '{date(YYYYMMDD)}_{prompt(1)}_{prompt(200)}_{steps}_{pack}'])(
    'accepts %s',
    (template) => {
      expect(validateNameTemplate(template)).toBeUndefined();
    },
  );

  const unknown = (raw: string) =>
    `Unknown token ${raw}. Use one of: {date}, {date(FMT)}, {seed}, {prompt}, {prompt(N)}, {steps}, {pack}.`;
  const promptN = (raw: string) => `In ${raw}, N must be a whole number from 1 to 200, e.g. {prompt(30)}.`;
  const empty = 'The name template is empty. Try {date}_seed{seed}_{prompt}.';
  const unbalanced = 'The name template has unbalanced braces: every { needs a matching }.';
  const emptyFormat = 'The date format in {date(FMT)} is empty. Try {date(YYYYMMDD_HHmm)}.';

  it.each([
    ['', empty],
    ['   ', empty],
    ['{foo}', unknown('{foo}')],
    ['{}', unknown('{}')],
    ['{Seed}', unknown('{Seed}')],
    ['{seed(3)}', unknown('{seed(3)}')],
    ['{prompt(3}', unknown('{prompt(3}')],
    ['{date', unbalanced],
    ['date}', unbalanced],
    ['{seed}}', unbalanced],
    ['{{seed}}', unbalanced],
    ['{prompt(0)}', promptN('{prompt(0)}')],
    ['{prompt(201)}', promptN('{prompt(201)}')],
    ['{prompt(2.5)}', promptN('{prompt(2.5)}')],
    ['{prompt(-3)}', promptN('{prompt(-3)}')],
    ['{prompt()}', promptN('{prompt()}')],
    ['{prompt(ten)}', promptN('{prompt(ten)}')],
    ['{date()}', emptyFormat],
    ['{date(  )}', emptyFormat],
  ])('rejects %j', (template, message) => {
    expect(validateNameTemplate(template)).toBe(message);
  });
});

describe('availableFileName', () => {
  it('keeps the name when it is free', () => {
    expect(availableFileName('clip', 'mp4', new Set())).toBe('clip.mp4');
    expect(availableFileName('clip', 'mp4', new Set(['other.mp4', 'clip.webm']))).toBe('clip.mp4');
  });

  it('numbers taken names (2), (3), …', () => {
    expect(availableFileName('clip', 'mp4', new Set(['clip.mp4']))).toBe('clip (2).mp4');
    expect(availableFileName('clip', 'mp4', new Set(['clip.mp4', 'clip (2).mp4']))).toBe('clip (3).mp4');
    expect(availableFileName('clip', 'mp4', new Set(['clip.mp4', 'clip (3).mp4']))).toBe('clip (2).mp4');
  });

  it('compares case-insensitively, as Windows and macOS file systems do', () => {
    expect(availableFileName('Clip', 'mp4', new Set(['clip.MP4']))).toBe('Clip (2).mp4');
    expect(availableFileName('clip', 'mp4', new Set(['CLIP.mp4', 'Clip (2).Mp4']))).toBe('clip (3).mp4');
  });

  it('takes the extension with or without its dot, or none', () => {
    expect(availableFileName('clip', '.mp4', new Set(['clip.mp4']))).toBe('clip (2).mp4');
    expect(availableFileName('clip', '', new Set(['clip']))).toBe('clip (2)');
  });
});
