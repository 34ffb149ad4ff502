import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDevApiError } from '../../src/client/dev-api-error';
import { call, createPage, declareEmulator, scopedAuth } from '../support/emulator-fixture';

/**
 * The Dev API contract from issue #3: JSON in and out, RFC 9457 problem details
 * with a stable `code` for bad input, a request log, reset, and the CLI line
 * scripts wait for.
 */
describe('Dev API', () => {
  const env = declareEmulator();

  it('creates a site whose URLs follow <emulator>/site/<name> and <emulator>/ex/confluence/<cloudId>', async () => {
    const site = await env.dev.createSite({ name: 'acme-docs' });
    expect(site.siteUrl).toBe(`${env.dev.url}/site/acme-docs`);
    expect(site.gatewayUrl).toBe(`${env.dev.url}/ex/confluence/${site.cloudId}`);
    expect(site.cloudId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers bad input with a problem+json validation_failed naming the field', async () => {
    const response = await call(`${env.dev.url}/_dev/users`, {
      method: 'POST',
      body: { cloudId: 'x', email: 'not-an-email' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.json).toMatchObject({
      code: 'validation_failed',
      status: 400,
      type: 'urn:pagewire:problem:validation_failed',
    });
    expect(response.json.errors.map((error: { path: string }) => error.path)).toEqual(
      expect.arrayContaining(['/email', '/displayName']),
    );
    expect(response.text).not.toMatch(/at .*\.ts/);
  });

  it('answers malformed JSON with malformed_json and a wrong media type with unsupported_media_type', async () => {
    const malformed = await fetch(`${env.dev.url}/_dev/sites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('malformed_json');
    const wrongType = await fetch(`${env.dev.url}/_dev/sites`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { code: string }).code).toBe('unsupported_media_type');
  });

  it('answers an unknown endpoint with not_found and a wrong method with method_not_allowed', async () => {
    expect((await call(`${env.dev.url}/_dev/nothing`)).json.code).toBe('not_found');
    const wrongMethod = await call(`${env.dev.url}/_dev/sites`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.code).toBe('method_not_allowed');
  });

  it('refuses a duplicate site name, a duplicate space key and strangers as space admins', async () => {
    const site = await env.dev.seedSite();
    await expect(env.dev.createSite({ name: site.name })).rejects.toSatisfy(
      (error) => isDevApiError(error) && error.status === 400 && error.problem?.code === 'validation_failed',
    );
    await expect(
      env.dev.createSpace({
        cloudId: site.cloudId,
        key: 'DOCS',
        name: 'Again',
        admins: [site.admin.accountId],
      }),
    ).rejects.toSatisfy((error) => isDevApiError(error) && error.problem?.errors?.[0]?.path === '/key');
    await expect(
      env.dev.createSpace({ cloudId: site.cloudId, key: 'NEW', name: 'New', admins: ['557058:nobody'] }),
    ).rejects.toSatisfy((error) => isDevApiError(error) && error.problem?.errors?.[0]?.path === '/admins');
  });

  it('treats the same email on two sites as one Atlassian account', async () => {
    const first = await env.dev.createSite({ name: 'one-account-a' });
    const second = await env.dev.createSite({ name: 'one-account-b' });
    const a = await env.dev.createUser({
      cloudId: first.cloudId,
      email: 'Sam@Example.com',
      displayName: 'Sam',
    });
    const b = await env.dev.createUser({
      cloudId: second.cloudId,
      email: 'sam@example.com',
      displayName: 'Sam',
    });
    expect(a.accountId).toBe(b.accountId);
  });

  it('logs gateway requests with method, path, status, credential kind and time, without secrets', async () => {
    const site = await env.dev.seedSite();
    const before = (await env.dev.requests()).at(-1)?.seq ?? 0;
    await call(`${site.gatewayUrl}/wiki/api/v2/spaces?limit=5`, { authorization: scopedAuth(site) });
    await call(`${site.gatewayUrl}/wiki/api/v2/spaces`);
    const log = await env.dev.requests({ since: before, cloudId: site.cloudId });
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'GET',
      path: `/ex/confluence/${site.cloudId}/wiki/api/v2/spaces`,
      query: 'limit=5',
      status: 200,
      credential: 'api-token-scoped',
      operationId: 'getSpaces',
    });
    expect(Date.parse(log[0]!.time)).not.toBeNaN();
    expect(log[1]).toMatchObject({ status: 401, credential: 'anonymous' });
    expect(JSON.stringify(log)).not.toContain(site.scopedToken);
  });

  it('lists every page of a site with its versions for assertions', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Snap' });
    await env.dev.humanEdit(page.json.id, { title: 'Snap 2' });
    const pages = await env.dev.pages(site.cloudId);
    const snapshot = pages.find((candidate) => candidate.id === page.json.id);
    expect(snapshot).toMatchObject({ title: 'Snap 2', spaceKey: 'DOCS', version: { number: 2 } });
    expect(snapshot?.versions.map((version) => version.title)).toEqual(['Snap', 'Snap 2']);
  });

  it('refuses a human edit of a page that does not exist with not_found', async () => {
    await expect(env.dev.humanEdit('123456789')).rejects.toSatisfy(
      (error) => isDevApiError(error) && error.status === 404 && error.problem?.code === 'not_found',
    );
  });

  it('forgets every site, token and installation on reset', async () => {
    const site = await env.dev.seedSite();
    await env.dev.reset();
    expect((await call(`${site.siteUrl}/_edge/tenant_info`)).status).toBe(404);
    expect(
      (await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: scopedAuth(site) })).status,
    ).toBe(404);
    expect(await env.dev.requests()).toEqual([
      expect.objectContaining({ path: `/site/${site.name}/_edge/tenant_info`, status: 404 }),
      expect.objectContaining({ status: 404 }),
    ]);
  });
});

describe('emulator CLI', () => {
  it('prints exactly one line, "emulator listening on http://127.0.0.1:<port>", when ready', async () => {
    const cli = fileURLToPath(new URL('../../src/cli/emulator-cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('\n')) {
        const [chunk] = (await once(child.stdout, 'data')) as [string];
        output += chunk;
      }
      expect(output).toMatch(/^emulator listening on http:\/\/127\.0\.0\.1:\d+\n$/);
      const url = output.trim().split(' ').at(-1)!;
      expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('refuses a port that is not a number with a usage message and exit code 2', async () => {
    const cli = fileURLToPath(new URL('../../src/cli/emulator-cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', 'http'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toMatch(/--port/);
  });
});
