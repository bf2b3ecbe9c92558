/**
 * Output file names: a user template such as `{date}_seed{seed}_{prompt}` rendered and made safe
 * on every OS (no reserved characters, control characters, trailing dots/spaces or reserved
 * Windows device names), plus `name (2).ext` numbering for names already taken.
 */
import { EngineError } from './errors';

const RESERVED = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** The name template used when the user has not set one. */
export const DEFAULT_NAME_TEMPLATE = '{date}_seed{seed}_{prompt}';

/** What a template can refer to. */
export interface NameContext {
  date: Date;
  seed: number;
  prompt: string;
  steps: number;
  pack: string;
}

const TOKEN_LIST = '{date}, {date(FMT)}, {seed}, {prompt}, {prompt(N)}, {steps}, {pack}';
const DEFAULT_PROMPT_LENGTH = 50;
const MAX_PROMPT_LENGTH = 200;
const DATE_FIELDS = /YYYY|YY|MM|DD|HH|mm|ss/g;

type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'date'; format?: string }
  | { kind: 'prompt'; length: number }
  | { kind: 'seed' | 'steps' | 'pack' };

/** Makes one path segment safe for Windows, macOS, Linux, Android and iOS file systems. */
export function sanitizeFileName(name: string, maxLength = 120): string {
  let s = name.normalize('NFC').replace(RESERVED, '_').replace(/\s+/g, ' ').trim();
  s = s.replace(/^[.\s]+|[.\s]+$/g, '');
  if (WINDOWS_DEVICES.test(s)) s = `_${s}`;
  if (s.length > maxLength) s = s.slice(0, maxLength).replace(/[.\s]+$/, '');
  return s || 'untitled';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function defaultDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}h${pad(d.getMinutes())}m${pad(d.getSeconds())}s`;
}

/** `d` in local time with the date tokens YYYY, YY, MM, DD, HH, mm, ss replaced (the `{date(FMT)}` token). */
export function formatDate(d: Date, format: string): string {
  return format.replace(DATE_FIELDS, (field) => {
    switch (field) {
      case 'YYYY':
        return pad(d.getFullYear(), 4);
      case 'YY':
        return pad(d.getFullYear() % 100);
      case 'MM':
        return pad(d.getMonth() + 1);
      case 'DD':
        return pad(d.getDate());
      case 'HH':
        return pad(d.getHours());
      case 'mm':
        return pad(d.getMinutes());
      default:
        return pad(d.getSeconds());
    }
  });
}

/** Whitespace collapsed, then the first `length` characters (code points, so no emoji is split). */
function cutPrompt(prompt: string, length: number): string {
  return Array.from(prompt.replace(/\s+/g, ' ').trim()).slice(0, length).join('');
}

function parseToken(raw: string): Segment | string {
  const m = /^\{([a-z]*)(?:\((.*)\))?\}$/s.exec(raw);
  const name = m?.[1];
  const arg = m?.[2];
  if (name === 'date') {
    if (arg === undefined) return { kind: 'date' };
    if (arg.trim() === '') return 'The date format in {date(FMT)} is empty. Try {date(YYYYMMDD_HHmm)}.';
    return { kind: 'date', format: arg };
  }
  if (name === 'prompt') {
    if (arg === undefined) return { kind: 'prompt', length: DEFAULT_PROMPT_LENGTH };
    const n = /^\d{1,3}$/.test(arg) ? Number(arg) : NaN;
    if (!(n >= 1 && n <= MAX_PROMPT_LENGTH)) {
      return `In ${raw}, N must be a whole number from 1 to ${MAX_PROMPT_LENGTH}, e.g. {prompt(30)}.`;
    }
    return { kind: 'prompt', length: n };
  }
  if ((name === 'seed' || name === 'steps' || name === 'pack') && arg === undefined) return { kind: name };
  return `Unknown token ${raw}. Use one of: ${TOKEN_LIST}.`;
}

function parseTemplate(t: string): { segments: Segment[] } | { error: string } {
  if (t.trim() === '') return { error: `The name template is empty. Try ${DEFAULT_NAME_TEMPLATE}.` };
  const unbalanced = { error: 'The name template has unbalanced braces: every { needs a matching }.' };
  const segments: Segment[] = [];
  let i = 0;
  while (i < t.length) {
    const open = t.indexOf('{', i);
    const stray = t.indexOf('}', i);
    if (stray !== -1 && (open === -1 || stray < open)) return unbalanced;
    if (open === -1) {
      segments.push({ kind: 'text', text: t.slice(i) });
      break;
    }
    const close = t.indexOf('}', open + 1);
    const nested = t.indexOf('{', open + 1);
    if (close === -1 || (nested !== -1 && nested < close)) return unbalanced;
    if (open > i) segments.push({ kind: 'text', text: t.slice(i, open) });
    const token = parseToken(t.slice(open, close + 1));
    if (typeof token === 'string') return { error: token };
    segments.push(token);
    i = close + 1;
  }
  return { segments };
}

/** A user-facing message saying what is wrong with the template, or undefined when it is valid. */
export function validateNameTemplate(t: string): string | undefined {
  const parsed = parseTemplate(t);
  return 'error' in parsed ? parsed.error : undefined;
}

/** Renders a name template into a safe file name without extension; throws if the template is invalid. */
export function renderName(template: string, ctx: NameContext): string {
  const parsed = parseTemplate(template);
  if ('error' in parsed)
    throw new EngineError('invalid-request', parsed.error, { nameTemplate: parsed.error });
  const text = parsed.segments
    .map((s) => {
      switch (s.kind) {
        case 'text':
          return s.text;
        case 'date':
          return s.format === undefined ? defaultDate(ctx.date) : formatDate(ctx.date, s.format);
        case 'prompt':
          return cutPrompt(ctx.prompt, s.length);
        case 'seed':
          return String(ctx.seed);
        case 'steps':
          return String(ctx.steps);
        case 'pack':
          return ctx.pack;
      }
    })
    .join('');
  return sanitizeFileName(text);
}

/** `base.ext` if free, else `base (2).ext`, `base (3).ext`, …; `taken` is compared case-insensitively. */
export function availableFileName(base: string, ext: string, taken: ReadonlySet<string>): string {
  const suffix = ext.replace(/^\./, '');
  const withExt = (stem: string) => (suffix ? `${stem}.${suffix}` : stem);
  const lower = new Set(Array.from(taken, (name) => name.toLowerCase()));
  let candidate = withExt(base);
  for (let n = 2; lower.has(candidate.toLowerCase()); n++) candidate = withExt(`${base} (${n})`);
  return candidate;
}

/** `{date}_seed{seed}_{prompt}.{ext}` with the prompt cut to 50 characters. */
export function outputFileName(opts: { date: Date; seed: number; prompt: string; ext: string }): string {
  return `${renderName(DEFAULT_NAME_TEMPLATE, { ...opts, steps: 0, pack: '' })}.${opts.ext}`;
}
