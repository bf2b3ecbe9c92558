/** The file names an output record takes (its media, sidecar and further files), lower-cased as the outputs store's `names` index keeps them. */

interface NamedRecord {
  fileName?: unknown;
  sidecar?: { fileName?: unknown };
  files?: { fileName?: unknown }[];
}

/** Lower-cased names of `record`'s files, for the multi-entry `names` index (free-name lookups). */
export function outputNames(record: NamedRecord): string[] {
  const names = [record.fileName, record.sidecar?.fileName, ...(record.files ?? []).map((f) => f.fileName)];
  return names.filter((n): n is string => typeof n === 'string').map((n) => n.toLowerCase());
}
