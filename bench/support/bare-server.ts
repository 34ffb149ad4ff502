import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

/**
 * The read-path baseline: the same Express 5 and the same JSON answer as the
 * backend's `POST /forge/v1/blocks.get`, with nothing else: no token check, no
 * storage, no logging. It parses the JSON body (any route that takes a POST
 * body reads it) and answers the bytes it was started with. The backend over
 * this baseline is the price of Pagewire's own work per call.
 *
 * Started by the benchmarks as `node bench/dist/bare-server.js` with PORT,
 * HOST and BARE_RESPONSE_JSON; prints one line when it accepts connections.
 * It reads process.env because it is a CLI entry point with no config module.
 */
const body = process.env.BARE_RESPONSE_JSON;
if (body === undefined || body === '') {
  process.stderr.write('bare server: BARE_RESPONSE_JSON is required\n');
  process.exit(2);
}
const parsed: unknown = JSON.parse(body);

const app = express();
app.disable('x-powered-by');
app.post('/forge/v1/:operation', express.json({ limit: '512kb' }), (_request, response) => {
  response.status(200).json(parsed);
});
// The export benchmark's consumer routes (bench/export.ts) read with GET: the same bytes, no key check.
app.get(/^\/export\/v1\//, (_request, response) => {
  response.status(200).json(parsed);
});
app.get('/readyz', (_request, response) => {
  response.status(200).json({ status: 'ready' });
});

const server = createServer(app);
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`bare server listening on http://127.0.0.1:${address.port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
