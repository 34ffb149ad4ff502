import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

/**
 * A tiny stand-in for a Forge Remote backend: it verifies every Forge
 * Invocation Token against the emulator's JWKS with jose, pinning issuer,
 * audience and algorithm as docs/platform-notes.md#fit-verification requires, and records what it
 * received. It answers 401 for a token that does not verify.
 */
export interface ReceivedCall {
  readonly path: string;
  readonly method: string;
  readonly claims: JWTPayload;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface StubRemoteBackend {
  readonly url: string;
  readonly received: ReceivedCall[];
  /** Answers the next N calls with this status before verifying anything. */
  failNext(status: number, times: number): void;
  /** The JSON body of every request, in order, the failed ones too. */
  readonly bodies: unknown[];
  close(): Promise<void>;
}

export interface StubRemoteBackendOptions {
  readonly jwksUrl: string;
  readonly appId: string;
  /** The `data` to answer a verified call with; by default what was verified. */
  readonly reply?: (path: string, body: unknown) => unknown;
}

export async function startStubRemoteBackend(options: StubRemoteBackendOptions): Promise<StubRemoteBackend> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const received: ReceivedCall[] = [];
  const bodies: unknown[] = [];
  let failures: { status: number; remaining: number } | undefined;

  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    bodies.push(text ? JSON.parse(text) : undefined);
    if (failures && failures.remaining > 0) {
      failures.remaining -= 1;
      response.writeHead(failures.status, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: 'forge/invocation-token',
        audience: options.appId,
        algorithms: ['RS256'],
      });
      received.push({
        path: request.url ?? '',
        method: request.method ?? '',
        claims: payload,
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      const data = options.reply
        ? options.reply(request.url ?? '', text ? JSON.parse(text) : undefined)
        : { verified: true, installationId: (payload.app as { installationId: string }).installationId };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data }));
    } catch {
      response.writeHead(401, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ code: 'invalid_invocation_token' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    bodies,
    failNext(status, times) {
      failures = { status, remaining: times };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
