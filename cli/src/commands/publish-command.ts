import { appendFileSync, existsSync, statSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { numericIdSchema, TREE_NAME_PATTERN } from '@pagewire/shared';
import type { CliEnvironment } from '../config/cli-environment';
import type { IngestClient } from '../ingest/ingest-client';
import { createProgress } from '../output/progress';
import { type OutputFormat, type OutputSink, writeReport } from '../output/publish-output';
import { createPreviousTextReader } from '../planning/previous-text';
import { publishTree } from '../publishing/publish-tree';
import { type PublishOptions, UsageError } from '../publishing/publish-types';
import { treeNameFrom } from '../tree/page-ids';

export const PUBLISH_USAGE = `usage: pagewire publish <dir> [options]

  --space KEY                    the space (must be the ingest key's); else a "Space:" header in a file
  --parent PAGE_ID               the Confluence page the tree sits under (default: the space's homepage)
  --tree NAME                    the tree's name (default: the folder's name)
  --dry-run                      print the plan per file and write nothing
  --on-human-edit skip|overwrite a page edited in Confluence since the last publish (default: skip, exit 3)
  --on-orphan report|archive     pages whose file is gone (default: report; archive is refused if a file failed)
  --labels a,b                   labels for every page
  --output text|json|github      plain lines, one JSON document, or lines + annotations + a job summary
  --backend URL                  the Pagewire backend (or PAGEWIRE_BACKEND_URL)
  --key pwk_…                    the ingest key (or PAGEWIRE_INGEST_KEY; prefer the variable in CI)
`;

export interface CommandIo extends OutputSink {
  readonly stderrStream: { isTTY?: boolean; columns?: number; write(text: string): unknown };
  readonly fetch: typeof fetch;
  readonly cwd: string;
}

interface ParsedPublish {
  client: IngestClient;
  options: PublishOptions;
  format: OutputFormat;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be ${allowed.join(' or ')}, not "${value}"`);
}

export function parsePublishArgs(
  args: readonly string[],
  env: CliEnvironment,
  io: Pick<CommandIo, 'fetch' | 'cwd'>,
): ParsedPublish {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        space: { type: 'string' },
        parent: { type: 'string' },
        tree: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'on-human-edit': { type: 'string' },
        'on-orphan': { type: 'string' },
        labels: { type: 'string' },
        output: { type: 'string' },
        backend: { type: 'string' },
        key: { type: 'string' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give exactly one folder to publish');
  const root = resolve(io.cwd, positionals[0]!);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UsageError(`${positionals[0]} is not a folder`);
  const tree = values.tree ?? treeNameFrom(basename(root));
  if (tree === null || !TREE_NAME_PATTERN.test(tree)) {
    throw new UsageError(
      'the tree name must be 1–64 letters, digits, ".", "_", "~" or "-": give --tree NAME',
    );
  }
  if (values.parent !== undefined && !numericIdSchema.safeParse(values.parent).success) {
    throw new UsageError(`--parent must be a numeric Confluence page id, not "${values.parent}"`);
  }
  const backendUrl = (values.backend ?? env.backendUrl)?.replace(/\/+$/, '');
  const key = values.key ?? env.ingestKey;
  if (backendUrl === undefined || !/^https?:\/\//.test(backendUrl)) {
    throw new UsageError('give the backend with --backend URL or PAGEWIRE_BACKEND_URL (http:// or https://)');
  }
  if (key === undefined) throw new UsageError('give the ingest key with PAGEWIRE_INGEST_KEY (or --key)');
  return {
    client: { backendUrl, key, fetch: io.fetch },
    format: oneOf('output', values.output, ['text', 'json', 'github'], 'text'),
    options: {
      root,
      tree,
      spaceKey: values.space,
      parentPageId: values.parent,
      dryRun: values['dry-run'] ?? false,
      onHumanEdit: oneOf('on-human-edit', values['on-human-edit'], ['skip', 'overwrite'], 'skip'),
      onOrphan: oneOf('on-orphan', values['on-orphan'], ['report', 'archive'], 'report'),
      labels: (values.labels ?? '')
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean),
    },
  };
}

/** Runs `pagewire publish`; resolves to the exit code. Usage errors are thrown as `UsageError`. */
export async function runPublish(
  args: readonly string[],
  env: CliEnvironment,
  io: CommandIo,
): Promise<number> {
  const { client, options, format } = parsePublishArgs(args, env, io);
  const progress = createProgress(io.stderrStream, format !== 'json');
  const report = await publishTree(client, options, {
    progress: (done, total, what) => progress.update(done, total, what),
    previousText: createPreviousTextReader(options.root),
  });
  progress.finish();
  const summaryFile = env.githubStepSummary;
  const rootPrefix = relative(io.cwd, options.root);
  writeReport(
    report,
    format,
    {
      ...io,
      ...(summaryFile === undefined
        ? {}
        : { appendSummary: (markdown: string) => appendFileSync(summaryFile, markdown) }),
    },
    rootPrefix === '' ? '' : `${rootPrefix}/`,
  );
  return report.exitCode;
}
