import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Pagewire backend behind `invokeRemote('backend')`: it
 * records what each `/forge/v1/<operation>` call carried and answers whatever
 * the test scripts, including the failures a real deployment has (problem
 * details, bare proxy errors, a backend that never answers).
 */
export interface ReceivedRequest {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type ScriptedAnswer =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; headers?: Record<string, string> }
  | { hang: true };

export interface ScriptedBackend {
  url: string;
  received: ReceivedRequest[];
  /** Answers calls to `/forge/v1/<operation>`; unanswered operations get a 500. */
  answer(operation: string, answer: ScriptedAnswer | ((body: unknown) => ScriptedAnswer)): void;
  close(): Promise<void>;
}

export async function startScriptedBackend(): Promise<ScriptedBackend> {
  const received: ReceivedRequest[] = [];
  const answers = new Map<string, ScriptedAnswer | ((body: unknown) => ScriptedAnswer)>();
  const hanging = new Set<() => void>();

  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    const path = request.url ?? '';
    received.push({ path, method: request.method ?? '', headers: request.headers, body });
    const scripted = answers.get(path.replace(/^\/forge\/v1\//, ''));
    const answer = typeof scripted === 'function' ? scripted(body) : scripted;
    if (!answer) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('no scripted answer');
      return;
    }
    if ('hang' in answer) {
      hanging.add(() => response.destroy());
      return;
    }
    if ('json' in answer) {
      const contentType = answer.status >= 400 ? 'application/problem+json' : 'application/json';
      response.writeHead(answer.status, { 'content-type': contentType, ...answer.headers });
      response.end(JSON.stringify(answer.json));
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'text/html', ...answer.headers }).end(answer.text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(operation, answer) {
      answers.set(operation, answer);
    },
    async close() {
      for (const release of hanging) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The success body every `/forge/v1/<operation>` answers with. */
export function data(value: unknown): ScriptedAnswer {
  return { status: 200, json: { data: value } };
}
