/** `.lset` links (`#/loras?preset=<url>`): only same-origin and blob: URLs are opened, so a link cannot make this page fetch from another site. */

/** The URL to fetch, or a message saying why the link is refused. */
export function presetLinkTarget(url: string, page: string): URL | string {
  if (!URL.canParse(url, page)) return `The preset link "${url}" is not a valid URL.`;
  const target = new URL(url, page);
  if (target.protocol !== 'blob:' && target.origin !== new URL(page).origin) {
    return `The preset link ${target.href} is on another site; WebGP opens only links from this site. Download the .lset file and import it instead.`;
  }
  return target;
}
