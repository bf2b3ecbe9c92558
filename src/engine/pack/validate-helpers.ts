/**
 * Field-path validation helpers: each check records "path: problem" instead of throwing,
 * so one pass reports every wrong field of a manifest at once.
 */

export type Json = Record<string, unknown>;

export class FieldErrors {
  readonly list: string[] = [];

  add(path: string, problem: string): void {
    this.list.push(`${path}: ${problem}`);
  }

  object(v: unknown, path: string): Json | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Json;
    this.add(path, 'expected an object');
    return undefined;
  }

  string(
    v: unknown,
    path: string,
    opts: { optional?: boolean; oneOf?: readonly string[] } = {},
  ): string | undefined {
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== 'string' || v.length === 0) {
      this.add(path, 'expected a non-empty string');
      return undefined;
    }
    if (opts.oneOf && !opts.oneOf.includes(v)) {
      this.add(path, `"${v}" is not supported. Should be one of: ${opts.oneOf.join(', ')}`);
      return undefined;
    }
    return v;
  }

  number(
    v: unknown,
    path: string,
    opts: { min?: number; max?: number; integer?: boolean; optional?: boolean } = {},
  ): number | undefined {
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(path, 'expected a number');
      return undefined;
    }
    if (opts.integer && !Number.isInteger(v)) this.add(path, 'expected an integer');
    else if (opts.min !== undefined && v < opts.min) this.add(path, `must be at least ${opts.min}`);
    else if (opts.max !== undefined && v > opts.max) this.add(path, `must be at most ${opts.max}`);
    else return v;
    return undefined;
  }

  array(v: unknown, path: string): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    this.add(path, 'expected an array');
    return undefined;
  }
}

/** `v` when it is one of `values` (else an error at `path`), `fallback` when absent or wrong. */
export function oneOf<T extends string>(
  e: FieldErrors,
  v: unknown,
  path: string,
  values: readonly T[],
  fallback: T,
): T {
  return v === undefined ? fallback : ((e.string(v, path, { oneOf: values }) as T | undefined) ?? fallback);
}
