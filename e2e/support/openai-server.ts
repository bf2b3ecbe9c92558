/**
 * A local OpenAI-compatible chat server for enhancer tests (unit and e2e): POST
 * /v1/chat/completions answers `Enhanced: <user message>` as JSON or as an SSE stream (as the
 * request's `stream` asks), and the model name picks a failure: `missing` → 404, `busy` → 429,
 * `broken` → a reply that is not JSON, `empty` → no choices, `bad-stream` → a malformed event,
 * `hang` → never answers, `plain` → a JSON reply even when a stream was asked for (servers that
 * do not stream). With `apiKey` set, other keys get 401. CORS is open. Records requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestRecord {
  authorization?: string;
  body: { model?: string; stream?: boolean; seed?: number; messages?: { role: string; content: string }[] };
}

export interface OpenAiServer {
  /** The base URL (ends in /v1). */
  baseUrl: string;
  requests: ChatRequestRecord[];
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-allow-methods': 'POST, OPTIONS',
};

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { ...CORS, 'content-type': type });
  res.end(body);
}

function streamReply(res: ServerResponse, text: string, broken: boolean): void {
  res.writeHead(200, { ...CORS, 'content-type': 'text/event-stream' });
  const words = text.split(/(?<= )/);
  for (const w of words)
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: w } }] })}\n\n`);
  if (broken) res.write('data: {not json\n\n');
  res.end('data: [DONE]\n\n');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOpenAiServer(o: { apiKey?: string; port?: number } = {}): Promise<OpenAiServer> {
  const requests: ChatRequestRecord[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') return send(res, 204, '');
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
      return send(res, 404, JSON.stringify({ error: { message: 'not found' } }));
    void readBody(req).then((raw) => {
      const body = JSON.parse(raw) as ChatRequestRecord['body'];
      requests.push({
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      if (o.apiKey && req.headers.authorization !== `Bearer ${o.apiKey}`)
        return send(res, 401, JSON.stringify({ error: { message: 'invalid api key' } }));
      const model = body.model ?? '';
      if (model === 'hang') return;
      if (model === 'missing')
        return send(res, 404, JSON.stringify({ error: { message: `model "${model}" not found` } }));
      if (model === 'busy') return send(res, 429, JSON.stringify({ error: { message: 'rate limited' } }));
      if (model === 'broken') return send(res, 200, '<html>oops</html>');
      if (model === 'empty') return send(res, 200, JSON.stringify({ choices: [] }));
      const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
      const text = `Enhanced: ${user}`;
      if (body.stream && model !== 'plain') return streamReply(res, text, model === 'bad-stream');
      send(
        res,
        200,
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
