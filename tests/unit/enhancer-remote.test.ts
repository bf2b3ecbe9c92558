/** The remote prompt enhancer against a local OpenAI-compatible server: streamed and plain
 * replies, the request it sends, and one message per failure. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionsUrl, remoteEnhance, type RemoteConfig } from '../../src/engine/enhancer/remote-enhancer';
import { VIDEO_SYSTEM_PROMPT } from '../../src/engine/enhancer/system-prompt';
import { type OpenAiServer, startOpenAiServer } from '../../e2e/support/openai-server';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: 'sk-test' });
});
afterAll(() => server.close());

const config = (over: Partial<RemoteConfig> = {}): RemoteConfig => ({
  baseUrl: server.baseUrl,
  model: 'qwen2.5:0.5b',
  apiKey: 'sk-test',
  ...over,
});
const req = { prompt: 'a red cat', mode: 'text' as const, seed: 42 };

describe('remote enhancer', () => {
  it('builds the completions URL from a base URL with or without a trailing slash', () => {
    expect(completionsUrl('http://127.0.0.1:11434/v1/')).toBe('http://127.0.0.1:11434/v1/chat/completions');
    expect(completionsUrl(' http://h/v1 ')).toBe('http://h/v1/chat/completions');
  });

  it('plain reply: sends the system prompt, the user prompt, model, seed and key', async () => {
    const seen: string[] = [];
    const text = await remoteEnhance(config({ stream: false }), { ...req, onText: (t) => seen.push(t) });
    expect(text).toBe('Enhanced: a red cat');
    expect(seen).toEqual(['Enhanced: a red cat']);
    const last = server.requests.at(-1);
    expect(last?.authorization).toBe('Bearer sk-test');
    expect(last?.body).toMatchObject({
      model: 'qwen2.5:0.5b',
      stream: false,
      seed: 42,
      messages: [
        { role: 'system', content: VIDEO_SYSTEM_PROMPT },
        { role: 'user', content: 'a red cat' },
      ],
    });
  });

  it('streamed reply: text arrives chunk by chunk and ends whole', async () => {
    const seen: [string, number][] = [];
    const text = await remoteEnhance(config({ stream: true }), {
      ...req,
      prompt: 'a dog on a beach',
      onText: (t, n) => seen.push([t, n]),
    });
    expect(text).toBe('Enhanced: a dog on a beach');
    expect(seen.length).toBe(6);
    expect(seen[0]).toEqual(['Enhanced:', 1]);
    expect(seen.at(-1)).toEqual(['Enhanced: a dog on a beach', 6]);
  });

  it('Image mode sends the caption with the idea', async () => {
    await remoteEnhance(config({ stream: false }), {
      ...req,
      mode: 'text-image',
      imageCaption: 'a green field',
    });
    expect(server.requests.at(-1)?.body.messages?.[1]?.content).toBe(
      'Start image: a green field\nIdea: a red cat',
    );
  });

  const failures: [string, Partial<RemoteConfig>, string, RegExp][] = [
    ['401', { apiKey: 'wrong' }, 'unauthorized', /refused the API key \(HTTP 401\)/],
    ['404 model', { model: 'missing' }, 'model-not-found', /has no model "missing" \(HTTP 404\)/],
    ['429', { model: 'busy' }, 'rate-limited', /rate-limiting requests \(HTTP 429\)/],
    ['non-JSON reply', { model: 'broken', stream: false }, 'malformed', /not JSON/],
    [
      'reply without choices',
      { model: 'empty', stream: false },
      'malformed',
      /without choices\[0\]\.message\.content/,
    ],
    ['malformed stream', { model: 'bad-stream', stream: true }, 'malformed', /malformed stream/],
    ['timeout', { model: 'hang', timeoutMs: 300 }, 'timeout', /did not answer within 300 ms/],
    [
      'unreachable',
      { baseUrl: 'http://127.0.0.1:9/v1' },
      'unreachable',
      /Could not reach the enhancer at http:\/\/127\.0\.0\.1:9\/v1\/chat\/completions/,
    ],
  ];
  for (const [name, over, reason, message] of failures) {
    it(`${name}: enhancer-failed with reason ${reason}`, async () => {
      const err = await remoteEnhance(config(over), req).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'EngineError', code: 'enhancer-failed', fields: { reason } });
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('sk-test');
    });
  }

  it('cancelling rejects with AbortError, not an enhancer failure', async () => {
    const ctrl = new AbortController();
    const pending = remoteEnhance(config({ model: 'hang' }), { ...req, signal: ctrl.signal });
    ctrl.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
