/**
 * Output file names: `{date}_seed{seed}_{prompt}` made safe on every OS (no reserved
 * characters, control characters, trailing dots/spaces or reserved Windows device names).
 */

const RESERVED = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** Makes one path segment safe for Windows, macOS, Linux, Android and iOS file systems. */
export function sanitizeFileName(name: string, maxLength = 120): string {
  let s = name.normalize('NFC').replace(RESERVED, '_').replace(/\s+/g, ' ').trim();
  s = s.replace(/^[.\s]+|[.\s]+$/g, '');
  if (WINDOWS_DEVICES.test(s)) s = `_${s}`;
  if (s.length > maxLength) s = s.slice(0, maxLength).replace(/[.\s]+$/, '');
  return s || 'untitled';
}

function datePart(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}h${p(d.getMinutes())}m${p(d.getSeconds())}s`;
}

/** `{date}_seed{seed}_{prompt}.{ext}` with the prompt cut to 50 characters. */
export function outputFileName(opts: { date: Date; seed: number; prompt: string; ext: string }): string {
  const prompt = opts.prompt.replace(/\s+/g, ' ').trim().slice(0, 50);
  return `${sanitizeFileName(`${datePart(opts.date)}_seed${opts.seed}_${prompt}`)}.${opts.ext}`;
}
