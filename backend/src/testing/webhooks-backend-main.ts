import { startWebhookBackend } from './webhook-stack';

/**
 * The backend with the webhooks extension (and the stand-in mirror) as a
 * process of its own, for the tests that SIGKILL it (webhook-faults.int.test.ts).
 * Prints the same ready line as src/main.ts.
 */
const running = await startWebhookBackend(process.env as Record<string, string>);
process.stdout.write(`backend listening on ${running.url}\n`);
process.once('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
