import { PUBLISH_USAGE, runPublish } from './commands/publish-command';
import { readCliEnvironment } from './config/cli-environment';
import { EXIT, UsageError } from './publishing/publish-types';

/**
 * `pagewire <command>`: today one command, `publish`. Exit codes: 0 all
 * done, 1 something failed, 2 a usage error, 3 pages left alone because a
 * person edited them in Confluence (so CI can flag them).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = {
    stdout: (text: string) => void process.stdout.write(text),
    stderr: (text: string) => void process.stderr.write(text),
    stderrStream: process.stderr,
    fetch: globalThis.fetch,
    cwd: process.cwd(),
  };
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(PUBLISH_USAGE);
    return EXIT.ok;
  }
  if (command !== 'publish') {
    io.stderr(`${command === undefined ? 'no command' : `unknown command "${command}"`}\n${PUBLISH_USAGE}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(PUBLISH_USAGE);
    return EXIT.ok;
  }
  try {
    return await runPublish(rest, readCliEnvironment(), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`pagewire: ${error.message}\n\n${PUBLISH_USAGE}`);
      return EXIT.usage;
    }
    io.stderr(`pagewire: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
