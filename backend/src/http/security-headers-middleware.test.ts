import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../testing/test-backend';
import { MACHINE_API_HEADERS } from './security-headers-middleware';

let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend({ logLevel: 'silent' });
});
afterAll(async () => {
  await t.close();
});

function expectMachineHeaders(headers: Record<string, string>): void {
  for (const [name, value] of MACHINE_API_HEADERS) expect(headers[name], name).toBe(value);
  // helmet's browser-only extras are not computed for a machine's JSON.
  expect(headers['x-dns-prefetch-control']).toBeUndefined();
  expect(headers['origin-agent-cluster']).toBeUndefined();
}

describe('security headers', () => {
  it('answers a Forge call with the constant headers a JSON API needs, secrets never cached', async () => {
    const response = await t.call(t.tenant('acme'), 'blocks.list', {});
    expect(response.status).toBe(200);
    expectMachineHeaders(response.headers);
  });

  it('sends the same headers on a refusal of the Forge and the ingest API', async () => {
    const forge = await t.http.post('/forge/v1/blocks.list').send({});
    expect(forge.status).toBe(401);
    expectMachineHeaders(forge.headers);
    const ingest = await t.http.put('/ingest/v1/blocks/deploys').send({});
    expect(ingest.status).toBe(401);
    expectMachineHeaders(ingest.headers);
  });

  it('does not hash answers into an ETag nobody can use (POST answers, no-store)', async () => {
    const response = await t.call(t.tenant('acme'), 'blocks.list', {});
    expect(response.headers.etag).toBeUndefined();
  });

  it('keeps helmet’s full set everywhere else', async () => {
    const response = await t.http.get('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-dns-prefetch-control']).toBe('off');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
