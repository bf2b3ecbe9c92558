/** Byte sizes for people, in decimal units as model hubs and disk tools label them. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** "905 B", "5.4 KB", "94.5 MB", "6.02 GB". */
export function formatSize(bytes: number): string {
  let unit = 0;
  while (unit < UNITS.length - 1 && bytes >= 1000 ** (unit + 1) * 0.99995) unit++;
  if (unit === 0) return `${bytes} B`;
  return `${(bytes / 1000 ** unit).toFixed(unit >= 3 ? 2 : 1)} ${UNITS[unit]}`;
}
