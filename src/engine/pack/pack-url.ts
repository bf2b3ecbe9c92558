/**
 * Where the installer may fetch from. A pack folder URL is https (plain http only on this
 * machine); a file listed by path resolves inside that folder and origin, nothing else (no
 * scheme-relative, scheme-prefixed or percent-encoded escapes); a response redirected to
 * another origin is refused unless the file is pinned by sha256 (its bytes are then checked
 * wherever they came from, as for per-file `url` sources, which may leave the origin by design)
 * or the target is that site's own download CDN (DOWNLOAD_CDNS).
 */
import { EngineError } from '../errors';

/** Hosts that may be fetched over plain http (packs served from this machine, tests). */
export const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Whether `url` is https, or http on this machine, without credentials. */
export function isAllowedFetchUrl(url: URL): boolean {
  return (
    (url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.includes(url.hostname))) &&
    !url.username &&
    !url.password
  );
}

/** The folder URL "Install from URL" reads pack.json from; refuses http off this machine. */
export function assertPackFolderUrl(folder: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(folder);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol))
    throw new EngineError(
      'invalid-request',
      `"${folder}" is not a pack URL: enter the full https URL of a folder that has a pack.json.`,
      { url: 'not an http(s) URL' },
    );
  if (!isAllowedFetchUrl(url))
    throw new EngineError(
      'invalid-request',
      `"${folder}" uses plain http on another machine: packs install over https only (http only from this machine: localhost, 127.0.0.1). Use the https URL.`,
      { url: 'http is only allowed for localhost' },
    );
  return url;
}

/** Characters and encodings that could make a path leave its folder once a URL is resolved. */
const ESCAPES = /%(2e|2f|5c)|[?#:%\\]/i;

/** Whether `path` (already a plain relative path) has an encoded or scheme-like escape. */
export function hasUrlEscape(path: string): boolean {
  return ESCAPES.test(path);
}

/** The URL of pack file `path` under folder `baseUrl`; refused unless it stays in that folder and origin. */
export function packFileUrl(path: string, baseUrl: string): string {
  const base = new URL(baseUrl);
  const url = new URL(path, base);
  if (hasUrlEscape(path) || url.origin !== base.origin || !url.href.startsWith(base.href)) {
    throw new EngineError(
      'invalid-manifest',
      `pack.json lists the file "${path}", which resolves to ${url.href}, outside the pack folder ${base.href}. Fix pack.json: list files by plain paths inside the folder.`,
    );
  }
  return url.href;
}

/**
 * Download hosts a site's own file URLs redirect to: Hugging Face's `/resolve/` answers LFS and
 * Xet files with a redirect to its storage (cdn-lfs*.hf.co, cas-bridge.xethub.hf.co), which the
 * registry's FastWan and Z-Image packs rely on. A host ending in one of the suffixes counts as
 * the same site.
 */
export const DOWNLOAD_CDNS: Readonly<Record<string, readonly string[]>> = {
  'huggingface.co': ['.hf.co', '.huggingface.co'],
};

function isOwnCdn(from: URL, to: URL): boolean {
  const cdns = Object.hasOwn(DOWNLOAD_CDNS, from.hostname) ? DOWNLOAD_CDNS[from.hostname]! : [];
  return to.protocol === 'https:' && cdns.some((suffix) => to.hostname.endsWith(suffix));
}

/** Refuses a response redirected to another origin than `requested` (other than that site's download CDN), unless the file is pinned by sha256. */
export function assertRedirectAllowed(
  requested: string,
  res: { url: string; redirected: boolean },
  path: string,
  pinned: boolean,
): void {
  if (!res.redirected || !res.url || pinned) return;
  const fromUrl = new URL(requested);
  const toUrl = new URL(res.url);
  const [from, to] = [fromUrl.origin, toUrl.origin];
  if (from === to || isOwnCdn(fromUrl, toUrl)) return;
  throw new EngineError(
    'missing-file',
    `${path}: ${from} redirected the download to another site (${to}). WebGP follows such a redirect only for files pinned by sha256 in pack.json; ask the pack's publisher to add sha256, or serve the file from the pack's own site.`,
  );
}
