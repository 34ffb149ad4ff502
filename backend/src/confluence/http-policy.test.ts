import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  computeBackoff,
  decideRetry,
  defaultRetryOptions,
  HTTP_RETRY_POLICY,
  MAX_RETRIES,
} from './http-policy';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const midpoint = () => 0.5;

function decide(method: string, status: number, headers: Record<string, string> = {}, retry = 0) {
  return decideRetry({
    method,
    outcome: { type: 'response', status, headers: new Headers(headers) },
    retry,
    now: NOW,
    options: defaultRetryOptions,
    random: midpoint,
  });
}

describe('the HTTP retry policy', () => {
  it('retries a 429 for every method, because a throttled request was not processed', () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      expect(decide(method, 429, { 'retry-after': '2' })).toEqual({ retry: true, delayMs: 2_200 });
    }
  });

  it('retries 502, 503 and 504 only for reads', () => {
    for (const status of [502, 503, 504]) {
      expect(decide('GET', status).retry).toBe(true);
      expect(decide('HEAD', status).retry).toBe(true);
      expect(decide('PUT', status)).toEqual({ retry: false, reason: 'unsafe-method' });
      expect(decide('POST', status)).toEqual({ retry: false, reason: 'unsafe-method' });
    }
    expect(decide('GET', 500).retry).toBe(false);
  });

  it('never retries client errors or conflicts', () => {
    for (const status of [400, 401, 403, 404, 409, 413]) expect(decide('GET', status).retry).toBe(false);
  });

  it('stops after four retries', () => {
    expect(MAX_RETRIES).toBe(4);
    expect(decide('GET', 503, {}, 3).retry).toBe(true);
    expect(decide('GET', 503, {}, 4)).toEqual({ retry: false, reason: 'exhausted' });
    expect(decide('PUT', 429, {}, 4)).toEqual({ retry: false, reason: 'exhausted' });
  });

  it('hands a wait over 60 s back to the caller instead of sleeping through it', () => {
    expect(decide('GET', 429, { 'retry-after': '61' })).toEqual({
      retry: false,
      reason: 'wait-too-long',
      waitMs: 61_000,
    });
    expect(decide('GET', 503, { 'retry-after': '3600' }).retry).toBe(false);
  });

  it('backs off exponentially with jitter between 0.7 and 1.3, capped at 30 s', () => {
    expect(computeBackoff(0, defaultRetryOptions, () => 0)).toBe(1_400);
    expect(computeBackoff(0, defaultRetryOptions, () => 1)).toBe(2_600);
    expect(computeBackoff(2, defaultRetryOptions, midpoint)).toBe(8_000);
    expect(computeBackoff(10, defaultRetryOptions, () => 1)).toBe(30_000);
  });

  it('is documented row by row in docs/CONFLUENCE-CLIENT.md', async () => {
    const doc = await readFile(
      fileURLToPath(new URL('../../../docs/CONFLUENCE-CLIENT.md', import.meta.url)),
      'utf8',
    );
    for (const row of HTTP_RETRY_POLICY) {
      expect(doc).toContain(`| ${row.condition} | ${row.methods} | ${row.action} | ${row.why} |`);
    }
  });
});
