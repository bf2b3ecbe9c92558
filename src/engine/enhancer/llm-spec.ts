/**
 * The `llm` section of a prompt-enhancer LLM pack's pack.json (pipeline `prompt-llm`): the graph,
 * its transformers.js decoder-only contract (REAL_PACKS §6) as data — layer count, KV heads, head
 * size, KV dtype, tensor-name prefixes — the chat template and the stop tokens. See
 * docs/enhancer.md ("LLM pack").
 */
import { EngineError } from '../errors';

export interface ChatTemplate {
  /** Wraps the system prompt; `{content}` is replaced. */
  system: string;
  /** Wraps the user message; `{content}` is replaced. */
  user: string;
  /** Opens the assistant's turn (generation starts after it). */
  assistant: string;
}

export interface LlmSpec {
  file: string;
  bytes?: number;
  sha256?: string;
  layers: number;
  kvHeads: number;
  headDim: number;
  kvDtype: 'float32' | 'float16';
  /** Stop tokens (as strings in the tokenizer's vocabulary). */
  eos: string[];
  chatTemplate: ChatTemplate;
  maxNewTokens: number;
}

type Raw = Record<string, unknown>;

function fail(field: string, what: string): never {
  throw new EngineError(
    'invalid-manifest',
    `pack.json llm.${field} ${what}. Fix the pack's pack.json (see docs/enhancer.md).`,
    { [`llm.${field}`]: what },
  );
}

function positive(raw: Raw, field: string): number {
  const v = raw[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(field, 'must be a positive integer');
  return v;
}

function text(raw: Raw, field: string, must?: string): string {
  const v = raw[field];
  if (typeof v !== 'string' || v.length === 0) fail(field, 'must be a non-empty string');
  if (must && !v.includes(must)) fail(field, `must contain ${must}`);
  return v;
}

/** Reads and checks pack.json's `llm` section. */
export function parseLlmSpec(llm: unknown): LlmSpec {
  if (typeof llm !== 'object' || llm === null)
    throw new EngineError(
      'invalid-manifest',
      'pack.json has no llm section: this is not a prompt-enhancer LLM pack. Install an LLM pack (pipeline prompt-llm).',
    );
  const raw = llm as Raw;
  const kvDtype = raw.kvDtype;
  if (kvDtype !== 'float32' && kvDtype !== 'float16') fail('kvDtype', 'must be float32 or float16');
  const eos = raw.eos;
  if (!Array.isArray(eos) || eos.length === 0 || !eos.every((t) => typeof t === 'string'))
    fail('eos', 'must be a non-empty list of token strings');
  const t = raw.chatTemplate;
  if (typeof t !== 'object' || t === null)
    fail('chatTemplate', 'must be an object with system, user and assistant');
  const tpl = t as Raw;
  const chatTemplate = {
    system: text(tpl, 'system', '{content}'),
    user: text(tpl, 'user', '{content}'),
    assistant: text(tpl, 'assistant'),
  };
  return {
    file: text(raw, 'file'),
    ...(typeof raw.bytes === 'number' ? { bytes: raw.bytes } : {}),
    ...(typeof raw.sha256 === 'string' ? { sha256: raw.sha256 } : {}),
    layers: positive(raw, 'layers'),
    kvHeads: positive(raw, 'kvHeads'),
    headDim: positive(raw, 'headDim'),
    kvDtype,
    eos: eos as string[],
    chatTemplate,
    maxNewTokens: positive(raw, 'maxNewTokens'),
  };
}

/** The prompt text the template makes from a system prompt and a user message. */
export function renderChat(t: ChatTemplate, system: string, user: string): string {
  return t.system.replace('{content}', system) + t.user.replace('{content}', user) + t.assistant;
}
