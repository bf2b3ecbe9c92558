/**
 * "Load settings": turns an MP4, PNG or JSON made by WebGP or WanGP into form values. Known
 * WanGP keys are mapped; everything else is reported as ignored, and values the current pack
 * cannot use are named instead of silently changed.
 */
import { enhanceModeFromCode } from '../enhancer/provider';
import { EngineError } from '../errors';
import { own } from '../own-key';
import type { PackManifest } from '../pack/manifest';
import { solverFromSettings, WANGP_SOLVER_NAMES } from '../settings';
import type { LoraRef, TaskRequest } from '../request';
import { isPng } from '../media/png-chunks';
import { isMp4, readMp4Comment, readPngText } from './read-container';

export type SettingsOrigin = 'WebGP' | 'WanGP' | 'unknown';

export interface LoadedSettings {
  request: TaskRequest;
  origin: SettingsOrigin;
  /** Form fields that were filled. */
  applied: (keyof TaskRequest)[];
  /** Keys in the file that WebGP does not use. */
  ignored: string[];
  /** Values this pack cannot use, e.g. "resolution 832x480 is not available for this model". */
  rejected: string[];
  /** Set when the file names another model than the current pack. */
  otherModel?: string;
  /** The file's `enhanced_prompt`, when the restored task enhances (mode not Off): a task queued unchanged reuses it. */
  enhancedPrompt?: string;
  /** The file's `enhanced_prompt_key`: what the enhanced prompt was made from (engine/enhancer/enhancement-key.ts). */
  enhancedFor?: string;
}

/** WanGP key → form field, with the value's expected type. */
const KEY_MAP: Record<string, [keyof TaskRequest, 'string' | 'number']> = {
  prompt: ['prompt', 'string'],
  negative_prompt: ['negativePrompt', 'string'],
  seed: ['seed', 'number'],
  num_inference_steps: ['steps', 'number'],
  video_length: ['frames', 'number'],
  resolution: ['resolution', 'string'],
  sample_solver: ['solver', 'string'],
  flow_shift: ['shift', 'number'],
  guidance_scale: ['guidance', 'number'],
  guidance2_scale: ['guidance2', 'number'],
  switch_threshold: ['switchThreshold', 'number'],
};
/** Keys that describe the run rather than settings to restore. */
const INFORMATIONAL = new Set([
  'enhanced_prompt',
  'enhanced_prompt_key',
  'loras_hashes',
  'guidance_phases',
  'type',
  'settings_version',
  'model_type',
  'model_filename',
  'pack_version',
  'fps',
  'backend',
  'muxer',
  'decoder',
  'generation_time',
  'creation_date',
  'base_model_type',
]);

const utf8 = new TextDecoder();

function settingsError(file: string, why: string): EngineError {
  return new EngineError('invalid-settings-file', `${file}: ${why}`);
}

/** Extracts the settings object from file bytes (MP4 comment, PNG text chunk, or JSON). */
export async function readSettingsObject(
  fileName: string,
  bytes: Uint8Array,
): Promise<Record<string, unknown>> {
  let text: string | undefined;
  if (isMp4(bytes)) {
    text = readMp4Comment(bytes);
    if (text === undefined)
      throw settingsError(
        fileName,
        'this video has no settings comment (it was not made by WebGP or WanGP, or its metadata was stripped).',
      );
  } else if (isPng(bytes)) {
    const chunks = await readPngText(bytes);
    text = chunks.comment ?? chunks.parameters;
    if (text === undefined)
      throw settingsError(fileName, 'this image has no settings text chunk ("comment").');
  } else {
    text = utf8.decode(bytes);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw settingsError(
      fileName,
      'the settings are not valid JSON. Use an MP4, PNG or JSON file saved by WebGP or WanGP.',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw settingsError(fileName, 'the settings must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function originOf(s: Record<string, unknown>): SettingsOrigin {
  const type = typeof s.type === 'string' ? s.type : '';
  return type.includes('WanGP') ? 'WanGP' : type.startsWith('WebGP') ? 'WebGP' : 'unknown';
}

/**
 * WanGP's `activated_loras` (+ WebGP's `loras_hashes`) and `loras_multipliers` as the request's
 * LoRAs. A name without a hash is looked up by name in `library`; one not found there is rejected.
 */
function applyLoras(
  settings: Record<string, unknown>,
  request: TaskRequest,
  result: LoadedSettings,
  library: readonly LoraRef[],
): void {
  const names = settings.activated_loras;
  delete request.loras;
  delete request.lorasMultipliers;
  if (names === undefined || (Array.isArray(names) && names.length === 0)) return;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    result.rejected.push('activated_loras is not a list of file names');
    return;
  }
  const hashes = Array.isArray(settings.loras_hashes) ? settings.loras_hashes : [];
  const refs: LoraRef[] = [];
  for (const [i, name] of (names as string[]).entries()) {
    const hash = hashes[i];
    const known = library.find((l) => (typeof hash === 'string' ? l.sha256 === hash : l.name === name));
    if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash))
      refs.push(known ?? { id: hash, name, sha256: hash });
    else if (known) refs.push(known);
    else result.rejected.push(`LoRA ${name} is not in your LoRA library (import it on the LoRAs page)`);
  }
  if (!refs.length) return;
  request.loras = refs;
  result.applied.push('loras');
  if (typeof settings.loras_multipliers === 'string') {
    request.lorasMultipliers = settings.loras_multipliers;
    result.applied.push('lorasMultipliers');
  }
}

/** WanGP's `prompt_enhancer` ("", T, I, TI) → the Enhance prompt mode. */
function applyEnhancer(value: unknown, request: TaskRequest, result: LoadedSettings): void {
  const mode = typeof value === 'string' ? enhanceModeFromCode(value) : undefined;
  if (!mode) {
    result.rejected.push(`prompt_enhancer "${String(value)}" is not one of "", T, I, TI`);
    return;
  }
  request.enhance = mode;
  result.applied.push('enhance');
}

/** Applies a settings object onto `current` for pack `m`; `library` resolves LoRA names written without hashes (WanGP). */
export function applySettings(
  settings: Record<string, unknown>,
  current: TaskRequest,
  m: PackManifest,
  library: readonly LoraRef[] = [],
): LoadedSettings {
  const request = { ...current };
  const result: LoadedSettings = {
    request,
    origin: originOf(settings),
    applied: [],
    ignored: [],
    rejected: [],
  };
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'activated_loras' || key === 'loras_multipliers') continue;
    if (key === 'prompt_enhancer') {
      applyEnhancer(value, request, result);
      continue;
    }
    const target = own(KEY_MAP, key);
    if (!target) {
      if (!INFORMATIONAL.has(key)) result.ignored.push(key);
      continue;
    }
    const [field, type] = target;
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
      result.rejected.push(`${key} is not a ${type}`);
      continue;
    }
    if (field === 'resolution' && !m.limits.resolutions.includes(value as string)) {
      result.rejected.push(`resolution ${String(value)} is not available for this model`);
      continue;
    }
    let v = value;
    if (field === 'solver') {
      v = solverFromSettings(value as string);
      if (!v) {
        result.rejected.push(
          `solver "${String(value)}" is not available (WebGP runs: ${Object.values(WANGP_SOLVER_NAMES).join(', ')})`,
        );
        continue;
      }
    }
    (request as Record<string, unknown>)[field] = v;
    result.applied.push(field);
  }
  applyLoras(settings, request, result, library);
  // One guidance phase (WanGP's default) drops the phase-2 values; two need both.
  if (
    settings.guidance_phases !== 2 ||
    request.guidance2 === undefined ||
    request.switchThreshold === undefined
  ) {
    delete request.guidance2;
    delete request.switchThreshold;
  }
  const model = typeof settings.model_type === 'string' ? settings.model_type : undefined;
  if (model && model !== m.id) result.otherModel = model;
  const enhanced = settings.enhanced_prompt;
  if (typeof enhanced === 'string' && enhanced.trim() && (request.enhance ?? 'off') !== 'off') {
    result.enhancedPrompt = enhanced;
    if (typeof settings.enhanced_prompt_key === 'string') result.enhancedFor = settings.enhanced_prompt_key;
  }
  return result;
}
