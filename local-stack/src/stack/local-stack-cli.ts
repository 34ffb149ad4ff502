#!/usr/bin/env node
import { ConfigError } from '@pagewire/backend';
import { describeBusyPort, findBusyPorts } from '@pagewire/devkit/busy-ports';
import { DEMO_SOURCE, METRICS_BLOCK_KEY, QUICKSTART_SOURCE, STATUS_BLOCK_KEY } from '../demo/demo-content';
import { LOCAL_STACK_USAGE, LocalStackOptionsError, readLocalStackOptions } from './local-stack-options';
import { type RunningLocalStack, startLocalStack } from './start-local-stack';

/**
 * `npm start`: the whole product on this machine. Prints where to look, the
 * quickstart ingest key and a ready curl command; Ctrl-C stops everything.
 * The flags and environment variables are in `npm start -- --help`.
 */
const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

let options: ReturnType<typeof readLocalStackOptions>;
try {
  // npm runs workspace scripts inside the workspace; INIT_CWD is where `npm start` was typed.
  options = readLocalStackOptions(process.argv.slice(2), process.env, process.env.INIT_CWD ?? process.cwd());
} catch (error) {
  err(`npm start: ${error instanceof LocalStackOptionsError ? error.message : String(error)}\n`);
  err(LOCAL_STACK_USAGE);
  process.exit(2);
}
if (options === 'help') {
  out(LOCAL_STACK_USAGE);
  process.exit(0);
}

const busy = await findBusyPorts(options.host, [
  { name: 'Preview', port: options.previewPort, flag: 'npm start -- --preview-port' },
  { name: 'Backend', port: options.backendPort, flag: 'npm start -- --backend-port' },
  { name: 'Emulator', port: options.emulatorPort, flag: 'npm start -- --emulator-port' },
]);
if (busy.length > 0) {
  for (const entry of busy) err(describeBusyPort(entry, 'npm start'));
  process.exit(1);
}

out('Starting Pagewire locally: the Confluence + Forge emulator, the backend and the preview…');
let stack: RunningLocalStack;
try {
  stack = await startLocalStack(options, { report: (line) => err(line) });
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    err(
      `npm start: a port is already in use (${(error as { port?: number }).port ?? 'see above'}). Stop the other process, or pick other ports: npm start -- --help`,
    );
  } else if (error instanceof ConfigError) {
    err(`npm start: ${(error as Error).message}`);
  } else {
    err(`npm start: could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}

const outcome = stack.runbook;
const runbook =
  'detail' in outcome
    ? `"Checkout runbook" not published yet (${outcome.detail})`
    : outcome.state === 'released'
      ? '"Checkout runbook" no longer managed by Pagewire (a space admin stopped managing it)'
      : `"Checkout runbook" ${outcome.state === 'published' ? 'published' : outcome.state === 'unchanged' ? 'already up to date' : 'left alone (a person edited it)'} from Markdown`;
out();
out('Pagewire is running.');
out();
out(`  Preview    ${stack.previewUrl}    <- open this in your browser`);
out(`  Backend    ${stack.backendUrl}`);
out(`  Emulator   ${stack.emulatorUrl}`);
out();
out(
  `Demo ${stack.seed === 'seeded' ? 'seeded' : 'reused from the last run'}: site "${stack.record.site.name}", space ${stack.record.space.key} (${stack.record.admin.displayName} is its admin, ${stack.record.member.displayName} a member),`,
);
out(`page "${stack.record.statusPage.title}" with two Pagewire macros, ${runbook}.`);
if (options.demoIntervalMs > 0) {
  out(
    `The "${DEMO_SOURCE}" source pushes "${STATUS_BLOCK_KEY}" and "${METRICS_BLOCK_KEY}" every ${options.demoIntervalMs / 1000} s.`,
  );
}
for (const note of stack.notes) out(`Note: ${note}.`);
out(`Data: ${options.dataDir} (kept for the next start; delete it to start over).`);
out();
out(`Ingest key (source "${QUICKSTART_SOURCE}"): ${stack.quickstartKey}`);
out();
out('Push a block (the status macro on "Service status" shows it):');
out(`  ${stack.curl}`);
out();
if (stack.exportCurl !== null) {
  out(`Export key (consumer of space ${stack.record.space.key}): ${stack.exportKey}`);
  out("Read the space's pages and what changed (docs/EXPORT.md):");
  out(`  ${stack.exportCurl}`);
  out();
}
out('Ctrl-C stops everything.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    out('\nStopping…');
    stack.close().then(
      () => {
        out(`Stopped. Your data is in ${options.dataDir}.`);
        process.exit(0);
      },
      (error: unknown) => {
        err(`npm start: stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  });
}
