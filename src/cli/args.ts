/** Command-line flags for `webgp`: `--name value` pairs and boolean `--flag`s, with named errors. */

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  command: string | undefined;
  values: Map<string, string>;
  flags: Set<string>;
}

/** Splits argv into a command, `--key value` options (from `valued`) and boolean flags. */
export function parseArgs(
  argv: string[],
  valued: readonly string[],
  booleans: readonly string[],
): ParsedArgs {
  const [first, ...others] = argv;
  const command = first?.startsWith('--') ? undefined : first;
  const rest = command === undefined ? argv : others;
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const [key, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (key && booleans.includes(key) && inline === undefined) flags.add(key);
    else if (key && valued.includes(key)) {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new UsageError(`--${key} needs a value.`);
      values.set(key, value);
    } else
      throw new UsageError(
        `Unknown option "${arg}". Options: ${[...valued, ...booleans].map((o) => `--${o}`).join(', ')}.`,
      );
  }
  return { command, values, flags };
}

/** A numeric option, or undefined when absent; a non-number is a usage error naming the option. */
export function numberOption(args: ParsedArgs, key: string): number | undefined {
  const raw = args.values.get(key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${key} must be a number, got "${raw}".`);
  return n;
}
