/**
 * The prompt enhancer behind one interface (WanGP's PromptEnhancerBridge): `prime` loads what the
 * provider needs, `enhance` rewrites a prompt (streaming text as it arrives), `reset` releases
 * sessions and GPU memory before the generation pack loads. Providers: none, local, remote.
 */

/** Off, Text (rewrite the prompt), Image (caption the start image), Text and image. */
export const ENHANCE_MODES = ['off', 'text', 'image', 'text-image'] as const;
export type EnhanceMode = (typeof ENHANCE_MODES)[number];

/** WanGP's `prompt_enhancer` setting values ("" off, T text, I images, TI both). */
export const WANGP_ENHANCER_CODES: Record<EnhanceMode, string> = {
  off: '',
  text: 'T',
  image: 'I',
  'text-image': 'TI',
};

/** The mode for a WanGP/WebGP `prompt_enhancer` value, if it is one. */
export function enhanceModeFromCode(code: string): EnhanceMode | undefined {
  return (Object.entries(WANGP_ENHANCER_CODES) as [EnhanceMode, string][]).find(([, c]) => c === code)?.[0];
}
export type EnhancerKind = 'none' | 'local' | 'remote';

export interface EnhanceRequest {
  prompt: string;
  mode: EnhanceMode;
  seed: number;
  /** A caption of the start image (Image modes), made by the captioner before the LLM runs. */
  imageCaption?: string;
  signal?: AbortSignal;
  /** The enhanced text so far and the number of tokens (or stream chunks) received. */
  onText?: (textSoFar: string, tokens: number) => void;
}

export interface PromptEnhancer {
  readonly kind: EnhancerKind;
  prime(signal?: AbortSignal): Promise<void>;
  /** The enhanced prompt. */
  enhance(req: EnhanceRequest): Promise<string>;
  reset(): Promise<void>;
}

/** The `none` provider: enhancement returns the prompt unchanged. */
export const noEnhancer: PromptEnhancer = {
  kind: 'none',
  prime: () => Promise.resolve(),
  enhance: (req) => Promise.resolve(req.prompt),
  reset: () => Promise.resolve(),
};
