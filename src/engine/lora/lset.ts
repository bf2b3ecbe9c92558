/**
 * WanGP LoRA presets (`.lset` JSON: `loras` file names, `loras_mult` multiplier string, optional
 * `prompt` and boolean `full_prompt`). Parsing validates each field and keeps unknown keys, so an
 * imported preset exports with the same keys and values. Applying follows WanGP: the LoRAs and
 * multipliers replace the selection; with `full_prompt` the preset prompt replaces the prompt,
 * otherwise a non-empty preset prompt is put on the line before the current prompt's lines
 * (empty and `#` lines dropped). A preset naming a LoRA that is not in the library is not applied.
 */
import { EngineError } from '../errors';
import { parseMultipliers } from './multipliers';

export interface LsetData {
  loras: string[];
  loras_mult: string;
  prompt?: string;
  full_prompt?: boolean;
  [key: string]: unknown;
}

function invalid(file: string, why: string): never {
  throw new EngineError('invalid-lora', `${file} is not a valid LoRA preset: ${why}.`);
}

/** Parses and validates `.lset` text. */
export function parseLset(text: string, file: string): LsetData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    invalid(file, 'it is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    invalid(file, 'it must be a JSON object with "loras" and "loras_mult"');
  const o = raw as Record<string, unknown>;
  if (!Array.isArray(o.loras) || !o.loras.every((x) => typeof x === 'string' && x.length > 0))
    invalid(file, '"loras" must be a list of LoRA file names');
  if (typeof o.loras_mult !== 'string')
    invalid(file, '"loras_mult" must be a string of multipliers (e.g. "1 0.5")');
  if (o.prompt !== undefined && typeof o.prompt !== 'string') invalid(file, '"prompt" must be a string');
  if (o.full_prompt !== undefined && typeof o.full_prompt !== 'boolean')
    invalid(file, '"full_prompt" must be true or false');
  try {
    parseMultipliers(o.loras_mult, (o.loras as string[]).length);
  } catch (err) {
    invalid(file, `"loras_mult": ${(err as Error).message.replace(/\.$/, '')}`);
  }
  return o as LsetData;
}

/** The preset as `.lset` text. */
export function lsetText(data: LsetData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** The prompt after applying a preset, as WanGP does. */
export function presetPrompt(data: LsetData, current: string): string {
  const preset = data.prompt ?? '';
  if (data.full_prompt) return preset;
  if (!preset) return current;
  const lines = current
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  return `${preset}\n${lines.join('\n')}`;
}

/** Names in the preset that the library lacks (empty: it can be applied). */
export function missingLoras(data: LsetData, library: readonly string[]): string[] {
  return data.loras.filter((n) => !library.includes(n));
}
