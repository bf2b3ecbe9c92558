/**
 * The remote provider: an OpenAI-compatible endpoint the user configures (a local Ollama, LM
 * Studio or llama.cpp server, or a hosted one). POST {base}/chat/completions, streamed (SSE) or
 * not, with a timeout; each failure (unreachable, timeout, 401/403, 404 model, 429, other HTTP
 * status, malformed reply) is an `enhancer-failed` EngineError with its own message and
 * fields.reason. The API key goes only into the Authorization header.
 */
import { EngineError, abortError } from '../errors';
import type { EnhanceRequest, PromptEnhancer } from './provider';
import { MalformedChunk, sseDeltas } from './sse';
import { VIDEO_SYSTEM_PROMPT, userMessage } from './system-prompt';

export interface RemoteConfig {
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  stream?: boolean;
  timeoutMs?: number;
  maxTokens?: number;
}

export type RemoteFailure =
  'unreachable' | 'timeout' | 'unauthorized' | 'model-not-found' | 'rate-limited' | 'http' | 'malformed';

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);
const failure = (reason: RemoteFailure, message: string) =>
  new EngineError('enhancer-failed', message, { reason });

/** The chat/completions URL of a base URL (a trailing slash is ignored). */
export function completionsUrl(baseUrl: string): string {
  return `${baseUrl.trim().replace(/\/+$/, '')}/chat/completions`;
}

function statusError(status: number, c: RemoteConfig, url: string): EngineError {
  if (status === 401 || status === 403)
    return failure(
      'unauthorized',
      `The enhancer at ${url} refused the API key (HTTP ${status}). Check "API key" in Settings → Prompt enhancer.`,
    );
  if (status === 404)
    return failure(
      'model-not-found',
      `The enhancer at ${url} has no model "${c.model}" (HTTP 404). Check "Enhancer model" (and that the URL ends in /v1 where the server needs it).`,
    );
  if (status === 429)
    return failure(
      'rate-limited',
      `The enhancer at ${url} is rate-limiting requests (HTTP 429). Wait a moment, then retry the task.`,
    );
  return failure(
    'http',
    `The enhancer at ${url} answered HTTP ${status}. Check the server's log, then retry the task.`,
  );
}

function replyText(json: unknown, url: string): string {
  const content = (json as { choices?: { message?: { content?: unknown } }[] } | null)?.choices?.[0]?.message
    ?.content;
  if (typeof content !== 'string' || !content.trim())
    throw failure(
      'malformed',
      `The enhancer at ${url} sent a reply without choices[0].message.content. Is it an OpenAI-compatible endpoint?`,
    );
  return content.trim();
}

async function readReply(
  res: Response,
  url: string,
  req: EnhanceRequest,
  stream: boolean,
  model: string,
): Promise<string> {
  if (!stream || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw failure(
        'malformed',
        `The enhancer at ${url} sent a reply that is not JSON. Is it an OpenAI-compatible endpoint?`,
      );
    }
    const text = replyText(json, url);
    req.onText?.(text, 1);
    return text;
  }
  let text = '';
  let chunks = 0;
  try {
    for await (const delta of sseDeltas(res.body)) {
      text += delta;
      chunks += 1;
      req.onText?.(text.trim(), chunks);
    }
  } catch (e) {
    if (e instanceof MalformedChunk)
      throw failure('malformed', `The enhancer at ${url} sent a malformed stream (${e.message}).`);
    throw e;
  }
  if (!text.trim())
    throw failure('malformed', `The enhancer at ${url} streamed no text. Is "${model}" a chat model?`);
  return text.trim();
}

/** Sends one chat completion and returns the enhanced prompt. */
export async function remoteEnhance(c: RemoteConfig, req: EnhanceRequest): Promise<string> {
  const url = completionsUrl(c.baseUrl);
  const stream = c.stream ?? true;
  const timeoutMs = c.timeoutMs ?? 60_000;
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, timeoutMs);
  const onAbort = () => ctrl.abort();
  req.signal?.addEventListener('abort', onAbort);
  const body = {
    model: c.model,
    messages: [
      { role: 'system', content: VIDEO_SYSTEM_PROMPT },
      { role: 'user', content: userMessage(req) },
    ],
    stream,
    seed: req.seed,
    max_tokens: c.maxTokens ?? 300,
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        signal: ctrl.signal,
        headers: {
          'content-type': 'application/json',
          ...(c.apiKey ? { authorization: `Bearer ${c.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
      });
    } catch (e) {
      if (req.signal?.aborted) throw abortError('Prompt enhancement');
      if (timedOut)
        throw failure(
          'timeout',
          `The enhancer at ${url} did not answer within ${seconds(timeoutMs)}. Check that the server runs, then retry the task.`,
        );
      throw failure(
        'unreachable',
        `Could not reach the enhancer at ${url} (${(e as Error).message}). Check "Enhancer URL", that the server runs, and that it allows this page's origin (CORS).`,
      );
    }
    if (!res.ok) throw statusError(res.status, c, url);
    return await readReply(res, url, req, stream, c.model);
  } catch (e) {
    if (req.signal?.aborted) throw abortError('Prompt enhancement');
    if (timedOut && !(e instanceof EngineError))
      throw failure(
        'timeout',
        `The enhancer at ${url} stopped answering after ${seconds(timeoutMs)}. Retry the task.`,
      );
    throw e;
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

/** The remote provider: nothing to load or release. */
export function remoteEnhancer(c: RemoteConfig): PromptEnhancer {
  return {
    kind: 'remote',
    prime: () => Promise.resolve(),
    enhance: (req) => remoteEnhance(c, req),
    reset: () => Promise.resolve(),
  };
}
