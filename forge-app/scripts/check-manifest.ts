/**
 * Offline manifest check, run by `npm test` (`npm run check:manifest`).
 *
 * The Forge CLI's own `forge lint` needs an Atlassian login even for its
 * client-side rules, so this runs the same engines directly:
 *  1. `@forge/manifest` `validate()` with full validation (schema and cross
 *     references: functions, resources, remotes, scopes, runtime);
 *  2. every one of `@forge/lint`'s client-side linters over the app's source,
 *     the PermissionLinter (a product call needs its scope in the manifest)
 *     included. That linter downloads Atlassian's OpenAPI specs unless it is
 *     given local files; offline it gets the operations the devkit emulates,
 *     with the scopes the devkit transcribed from the v2 spec, and empty specs
 *     for the products Pagewire does not call. A call to an operation outside
 *     that list is not scope-checked (docs/platform-notes.md#forge-lint-and-tsconfig).
 * Both read `manifest.yml` from the working directory, so the check moves there.
 * `@forge/lint` lints a TypeScript file only when its path is in the app
 * root's `tsconfig.json` include list as the Forge CLI expands it, so that list
 * must be globs; the check fails when it would lint no source file at all.
 * `@forge/lint` exposes these as undocumented internals, which is why the
 * versions are pinned in forge-app/package.json.
 *
 * Usage: node --import tsx scripts/check-manifest.ts <app root>
 * Exit code 0 when the manifest is valid and no linter reports an error.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulatedConfluenceOpenApi } from '@pagewire/devkit';

const require = createRequire(import.meta.url);

interface Finding {
  source: string;
  level: 'error' | 'warning';
  message: string;
  file?: string;
  line?: number;
}

async function listSourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listSourceFiles(full)));
    else if (/\.(tsx?|jsx?)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) found.push(full);
  }
  return found;
}

export async function checkManifest(appRoot: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const previousCwd = process.cwd();
  process.chdir(appRoot);
  // Manifest variables (`environment.variables`) come from the shell of whoever
  // runs `forge deploy`. The check does not deploy anything, so a declared
  // variable that is not set here gets an obviously unusable `.invalid` URL.
  const placeholders = await placeholderManifestVariables(path.join(appRoot, 'manifest.yml'));
  const specs = await offlineSwaggerFiles();
  try {
    const { validate } = require('@forge/manifest') as typeof import('@forge/manifest');
    const validation = await validate(false);
    for (const error of validation.errors ?? []) {
      findings.push({
        source: '@forge/manifest',
        level: error.level === 'warning' ? 'warning' : 'error',
        message: error.message,
        ...(error.line !== undefined ? { line: error.line } : {}),
      });
    }
    if (!validation.success || !validation.manifestObject) {
      if (findings.length === 0)
        findings.push({ source: '@forge/manifest', level: 'error', message: 'invalid manifest' });
      return findings;
    }

    const lintModule = require('@forge/lint') as typeof import('@forge/lint');
    // The linters only ask the CLI's feature-flag service which runtimes are
    // deprecated; offline, the manifest schema's own runtime list is the truth.
    const statsig = { getDeprecatedRuntimes: async () => [] } as never;
    const quietLogger = { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} } as never;
    const manifest = validation.manifestObject.typedContent as import('@forge/manifest').ManifestSchema;
    const linters = await lintModule.getClientSideLintersOnly(manifest, 'development', quietLogger, statsig);
    const files = [...(await listSourceFiles('src')), ...(await listSourceFiles('forge-app/src'))];
    // The same parse step lint() runs, counted: a TypeScript file outside the
    // expanded include list is silently skipped, so a check that reads no
    // source would pass anything.
    let parsed = 0;
    const results = await lintModule.lint(files, manifest, 'development', quietLogger, statsig, {
      linter: { mode: 'client-side' },
      linters,
      parseFunction: async (filepath: string, parser: Parameters<typeof lintModule.parseSourceFile>[1]) => {
        parsed += 1;
        return lintModule.parseSourceFile(filepath, parser);
      },
    });
    if (files.length > 0 && parsed === 0) {
      findings.push({
        source: '@forge/lint',
        level: 'error',
        message:
          'no source file was linted: tsconfig.json "include" must list globs (src/**/*.ts), which @forge/lint matches exactly',
      });
    }
    for (const result of results) {
      for (const error of result.errors) {
        findings.push({
          source: '@forge/lint',
          level: 'error',
          message: error.message,
          file: result.file,
          line: error.line,
        });
      }
      for (const warning of result.warnings) {
        findings.push({
          source: '@forge/lint',
          level: 'warning',
          message: warning.message,
          file: result.file,
          line: warning.line,
        });
      }
    }
    return findings;
  } finally {
    process.chdir(previousCwd);
    for (const name of placeholders) delete process.env[name];
    await specs.dispose();
  }
}

/** The `USE_LOCAL_SWAGGER` files PermissionLinter reads instead of downloading specs. */
async function offlineSwaggerFiles(): Promise<{ dispose(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pagewire-lint-specs-'));
  const confluence = path.join(dir, 'confluence.json');
  const none = path.join(dir, 'not-called.json');
  await writeFile(confluence, JSON.stringify(emulatedConfluenceOpenApi()));
  await writeFile(none, JSON.stringify({ openapi: '3.0.1', paths: {} }));
  const variables: Record<string, string> = {
    USE_LOCAL_SWAGGER: 'true',
    LOCAL_CONF_SWAGGER: confluence,
    LOCAL_CONF_V2_SWAGGER: none,
    LOCAL_JIRA_SWAGGER: none,
    LOCAL_JSM_SWAGGER: none,
    LOCAL_JSW_SWAGGER: none,
    LOCAL_BB_SWAGGER: none,
  };
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return {
    async dispose() {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function placeholderManifestVariables(manifestPath: string): Promise<string[]> {
  const { parse } = require('yaml') as typeof import('yaml');
  let declared: unknown;
  try {
    declared = (parse(await readFile(manifestPath, 'utf8')) as { environment?: { variables?: unknown } })
      ?.environment?.variables;
  } catch {
    return []; // validate() reports the unreadable manifest itself
  }
  const names = (Array.isArray(declared) ? declared : [])
    .map((entry: unknown) =>
      typeof entry === 'string'
        ? entry
        : (entry as { key?: unknown; default?: unknown })?.default === undefined
          ? (entry as { key?: unknown })?.key
          : undefined,
    )
    .filter((name): name is string => typeof name === 'string' && process.env[name] === undefined);
  for (const name of names) process.env[name] = `https://${name.toLowerCase().replace(/_/g, '-')}.invalid`;
  return names;
}

async function main(): Promise<void> {
  const appRoot = path.resolve(process.argv[2] ?? '.');
  const findings = await checkManifest(appRoot);
  for (const finding of findings) {
    const where = finding.file
      ? ` ${path.relative(appRoot, path.resolve(appRoot, finding.file))}${finding.line ? `:${finding.line}` : ''}`
      : '';
    console.log(`${finding.level} [${finding.source}]${where}: ${finding.message}`);
  }
  const errors = findings.filter((finding) => finding.level === 'error').length;
  const warnings = findings.length - errors;
  console.log(
    `manifest check: ${errors} error(s), ${warnings} warning(s) in ${path.join(appRoot, 'manifest.yml')}`,
  );
  process.exitCode = errors > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(`manifest check failed to run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  });
}
