/**
 * What an enhanced prompt was made from, as one sha256: the user's prompt, the Enhance mode, the
 * start image (Image modes only: its sha256) and the enhancer that wrote it (the local LLM pack,
 * or the remote endpoint's URL and model; the captioner pack too in Image modes; never the API
 * key). A task, and an output's settings (`enhanced_prompt_key`), keep it next to the enhanced
 * prompt, so a stored enhancement is reused only while every input is the same: a changed start
 * image or enhancer enhances again, an unchanged task does not.
 */
import { sha256Hex } from '../hash';
import type { TaskRequest } from '../request';
import type { EnhanceMode } from './provider';

/** The enhancer settings the key depends on (src/storage/enhancer-settings-store.ts). */
export interface EnhancerIdentity {
  provider: string;
  url: string;
  model: string;
  llmPack: string;
  captionerPack: string;
}

const usesImage = (mode: EnhanceMode) => mode === 'image' || mode === 'text-image';

/** The enhancer that writes a `mode` enhancement with settings `s`, in words (no secrets). */
export function enhancerLabel(s: EnhancerIdentity, mode: EnhanceMode): string {
  const writer = s.provider === 'local' ? `local:${s.llmPack}` : `${s.provider}:${s.model}@${s.url}`;
  return usesImage(mode) ? `${writer}+caption:${s.captionerPack}` : writer;
}

/** The key of an enhancement of `request` by the enhancer with settings `s`; undefined when the task does not enhance. */
export async function enhancementKey(
  request: Pick<TaskRequest, 'prompt' | 'enhance' | 'startImage'>,
  s: EnhancerIdentity,
): Promise<string | undefined> {
  const mode = request.enhance ?? 'off';
  if (mode === 'off') return undefined;
  const encode = (t: string) => new TextEncoder().encode(t);
  const image = usesImage(mode) && request.startImage ? await sha256Hex(encode(request.startImage)) : '';
  return sha256Hex(encode(JSON.stringify([request.prompt, mode, image, enhancerLabel(s, mode)])));
}

/**
 * Whether a stored enhancement made for `storedKey` serves a task whose inputs now give `key`.
 * A stored prompt without a key (a task or output from before keys) is reused as it was.
 */
export function storedEnhancementFits(storedKey: string | undefined, key: string | undefined): boolean {
  return storedKey === undefined || storedKey === key;
}
