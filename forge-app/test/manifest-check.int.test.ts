import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const script = path.resolve(import.meta.dirname, '../scripts/check-manifest.ts');

const tempDirs: string[] = [];

/** An app root that is the real one except for its manifest (and, if given, its tsconfig.json). */
async function appRootWithManifest(manifest: string, tsconfig?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pagewire-manifest-'));
  tempDirs.push(dir);
  await writeFile(path.join(dir, 'manifest.yml'), manifest);
  if (tsconfig !== undefined) await writeFile(path.join(dir, 'tsconfig.json'), tsconfig);
  for (const entry of ['src', 'forge-app', 'tsconfig.base.json', 'package.json', 'node_modules']) {
    await symlink(path.join(repoRoot, entry), path.join(dir, entry));
  }
  if (tsconfig === undefined)
    await symlink(path.join(repoRoot, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  return dir;
}

async function check(dir: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, dir], { cwd: repoRoot });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the offline manifest check', () => {
  it('passes the real manifest', async () => {
    const result = await check(repoRoot);
    expect(result.output).toContain('0 error(s)');
    expect(result.code).toBe(0);
  }, 180_000);

  it('fails a manifest without a runtime, which Forge refuses to deploy', async () => {
    const real = await readFile(path.join(repoRoot, 'manifest.yml'), 'utf8');
    const broken = real.replace(/\n {2}runtime:\n {4}name: nodejs22\.x/, '');
    expect(broken).not.toBe(real);
    const result = await check(await appRootWithManifest(broken));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/runtime/);
  }, 180_000);

  it('fails a macro whose resolver names a function that does not exist', async () => {
    const real = await readFile(path.join(repoRoot, 'manifest.yml'), 'utf8');
    const broken = real.replace('function: macro-resolver', 'function: macro-resolvr');
    const result = await check(await appRootWithManifest(broken));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/macro-resolvr/);
  }, 180_000);

  it('runs the client-side linters too: a custom timeout on a UI resolver is an error', async () => {
    const real = await readFile(path.join(repoRoot, 'manifest.yml'), 'utf8');
    const broken = real.replace(
      'handler: index.macroResolver',
      'handler: index.macroResolver\n      timeoutSeconds: 25',
    );
    const result = await check(await appRootWithManifest(broken));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/@forge\/lint.*timeoutSeconds/);
  }, 180_000);

  // https://developer.atlassian.com/platform/forge/manifest-reference/permissions/: a product API call needs its
  // scope in permissions.scopes; `forge lint`'s permission linter reports the call that lacks one. The admin
  // check reads GET /wiki/api/v2/spaces/{id}/operations, whose v2 spec scope is read:space:confluence.
  it('fails a manifest without read:space:confluence, which the space-admin check calls Confluence with', async () => {
    const real = await readFile(path.join(repoRoot, 'manifest.yml'), 'utf8');
    const broken = real.replace(/\n {4}- read:space:confluence/, '');
    expect(broken).not.toBe(real);
    const result = await check(await appRootWithManifest(broken));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /@forge\/lint.*forge-platform\.ts.*\/wiki\/api\/v2\/spaces\/\{id\}\/operations.*read:space:confluence/,
    );
  }, 180_000);

  // @forge/lint lints a .ts file only when its exact path is in the expanded tsconfig include list
  // (docs/platform-notes.md#forge-lint-and-tsconfig): directory entries made it skip every handler.
  it('fails when tsconfig.json includes directories, which would leave every handler unlinted', async () => {
    const real = await readFile(path.join(repoRoot, 'manifest.yml'), 'utf8');
    const directories = JSON.stringify({
      extends: './tsconfig.base.json',
      include: ['src', 'forge-app/src'],
    });
    const result = await check(await appRootWithManifest(real, directories));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/no source file was linted/);
  }, 180_000);
});
