/**
 * Lookups in key maps by keys that come from files (settings, queue.json, pack.json, zips): only
 * the map's own entries count, never what a plain object inherits ("constructor", "toString",
 * "__proto__"…), which once crashed "Load settings" with "t is not iterable".
 */

/** The value `map` holds under `key` as its own property, or undefined. */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
