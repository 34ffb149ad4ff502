import { describe, expect, it } from 'vitest';
import { createInMemoryKvs } from './kvs-store';

async function body(response: Response): Promise<unknown> {
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

describe('in-memory KVS', () => {
  it('answers a missing key with KEY_NOT_FOUND, which @forge/kvs turns into undefined', async () => {
    const kvs = createInMemoryKvs();
    const response = kvs.handle('/api/v1/get', { key: 'nope' });
    expect(response.status).toBe(404);
    expect(await body(response)).toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('refuses keys outside the documented pattern and values above 240 KiB', async () => {
    const kvs = createInMemoryKvs();
    expect(kvs.handle('/api/v1/set', { key: 'bad/key', value: 1 }).status).toBe(400);
    expect(kvs.handle('/api/v1/set', { key: '   ', value: 1 }).status).toBe(400);
    expect(kvs.handle('/api/v1/set', { key: 'big', value: 'x'.repeat(240 * 1024) }).status).toBe(413);
    expect(kvs.handle('/api/v1/set', { key: 'ok:key_1.a-b #2', value: 1 }).status).toBe(204);
  });

  it('honours FAIL_IF_EXISTS and returns the previous value when asked', async () => {
    const kvs = createInMemoryKvs();
    kvs.set('k', 'one');
    expect(
      kvs.handle('/api/v1/set', { key: 'k', value: 'two', options: { keyPolicy: 'FAIL_IF_EXISTS' } }).status,
    ).toBe(409);
    const previous = kvs.handle('/api/v1/set', {
      key: 'k',
      value: 'two',
      options: { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' },
    });
    expect(await body(previous)).toMatchObject({ key: 'k', value: 'one' });
    expect(kvs.get('k')).toBe('two');
  });

  it('expires a key after its TTL', () => {
    let now = 1_000_000;
    const kvs = createInMemoryKvs(() => now);
    kvs.handle('/api/v1/set', { key: 'k', value: 1, options: { ttl: { value: 2, unit: 'SECONDS' } } });
    expect(kvs.get('k')).toBe(1);
    now += 2_000;
    expect(kvs.get('k')).toBeUndefined();
  });

  it('pages a beginsWith query by key and never lists secrets', async () => {
    const kvs = createInMemoryKvs();
    for (const key of ['a:1', 'a:2', 'a:3', 'b:1']) kvs.set(key, key);
    kvs.handle('/api/v1/secret/set', { key: 'a:secret', value: 's' });
    const where = [{ property: 'key', condition: 'BEGINS_WITH', values: ['a:'] }];
    const first = (await body(kvs.handle('/api/v1/query', { limit: 2, where }))) as {
      data: { key: string }[];
      cursor: string;
    };
    expect(first.data.map((entry) => entry.key)).toEqual(['a:1', 'a:2']);
    const second = (await body(kvs.handle('/api/v1/query', { limit: 2, where, after: first.cursor }))) as {
      data: { key: string }[];
      cursor?: string;
    };
    expect(second.data.map((entry) => entry.key)).toEqual(['a:3']);
    expect(second.cursor).toBeUndefined();
  });

  it('keeps secrets and each entity in their own namespace', () => {
    const kvs = createInMemoryKvs();
    kvs.handle('/api/v1/secret/set', { key: 'token', value: 'secret' });
    kvs.handle('/api/v1/entity/set', { entityName: 'blocks', key: 'token', value: { a: 1 } });
    expect(kvs.get('token')).toBeUndefined();
    expect(kvs.getSecret('token')).toBe('secret');
    expect(kvs.getEntity('blocks', 'token')).toEqual({ a: 1 });
  });

  it('applies a transaction all or nothing and refuses what it cannot evaluate', () => {
    const kvs = createInMemoryKvs();
    kvs.set('gone', 1);
    expect(
      kvs.handle('/api/v1/transaction', {
        set: [
          { key: 'a', value: 1 },
          { key: 'bad/key', value: 2 },
        ],
      }).status,
    ).toBe(400);
    expect(kvs.get('a')).toBeUndefined();
    expect(
      kvs.handle('/api/v1/transaction', { set: [{ key: 'a', value: 1 }], delete: [{ key: 'gone' }] }).status,
    ).toBe(204);
    expect(kvs.entries()).toEqual([['a', 1]]);
    expect(kvs.handle('/api/v1/transaction', { check: [{ key: 'a' }] }).status).toBe(501);
  });
});
