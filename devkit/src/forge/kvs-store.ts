/**
 * Forge's key-value store, in memory, answering the REST calls `@forge/kvs`
 * makes through `global.__forge_fetch__({type: 'kvs'}, '/api/v1/<op>', …)`
 * (read from `@forge/kvs` 1.6.5 `out/storage-api.js`). Keys, secrets and each
 * custom entity are separate namespaces, as in Forge; secrets are never listed
 * by a query. Limits from `/limits-kvs-ce` (docs/platform-notes.md#forge-kvs-limits): keys of at
 * most 500 characters matching `^(?!\s+$)[a-zA-Z0-9:._\s-#]+$`, values of at
 * most 240 KiB. Not emulated: entity index queries (`/entity/query`) and
 * transaction `check` conditions; both answer 501 so a test notices.
 */
export interface KvsEntry {
  readonly key: string;
  readonly value: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expireTime?: string;
}

export interface InMemoryKvs {
  /** Plain keys (`kvs.get/set`). */
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** Every plain key and value, for assertions. */
  entries(): Array<[string, unknown]>;
  getSecret(key: string): unknown;
  getEntity(entityName: string, key: string): unknown;
  clear(): void;
  /** Answers one `@forge/kvs` REST call. */
  handle(path: string, body: unknown): Response;
}

export const MAX_KVS_KEY_LENGTH = 500;
export const MAX_KVS_VALUE_BYTES = 240 * 1024;
const KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]+$/;

type Namespace = Map<string, KvsEntry>;

function json(status: number, body?: unknown): Response {
  if (body === undefined) return new Response(null, { status });
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Forge's error body: `{code, message}` (`@forge/kvs` `isForgeError`). */
function forgeError(status: number, code: string, message: string): Response {
  return json(status, { code, message });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

const TTL_UNITS: Record<string, number> = {
  SECONDS: 1_000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
};

export function createInMemoryKvs(now: () => number = Date.now): InMemoryKvs {
  const plain: Namespace = new Map();
  const secrets: Namespace = new Map();
  const entities = new Map<string, Namespace>();

  function entityNamespace(name: string): Namespace {
    let namespace = entities.get(name);
    if (!namespace) {
      namespace = new Map();
      entities.set(name, namespace);
    }
    return namespace;
  }

  function live(namespace: Namespace, key: string): KvsEntry | undefined {
    const entry = namespace.get(key);
    if (entry?.expireTime && Date.parse(entry.expireTime) <= now()) {
      namespace.delete(key);
      return undefined;
    }
    return entry;
  }

  function checkKey(key: unknown): Response | undefined {
    if (
      typeof key !== 'string' ||
      key.length === 0 ||
      key.length > MAX_KVS_KEY_LENGTH ||
      !KEY_PATTERN.test(key)
    ) {
      return forgeError(400, 'INVALID_KEY', `The key ${JSON.stringify(key)} is not a valid KVS key`);
    }
    return undefined;
  }

  function write(namespace: Namespace, request: Record<string, unknown>): Response | KvsEntry {
    const invalid = checkKey(request.key);
    if (invalid) return invalid;
    if (request.value === undefined) return forgeError(400, 'INVALID_VALUE', 'A value is required');
    const size = Buffer.byteLength(JSON.stringify(request.value), 'utf8');
    if (size > MAX_KVS_VALUE_BYTES) {
      return forgeError(
        413,
        'VALUE_TOO_LARGE',
        `The value is ${size} bytes; the limit is ${MAX_KVS_VALUE_BYTES}`,
      );
    }
    const key = request.key as string;
    const options = asRecord(request.options);
    const previous = live(namespace, key);
    if (options.keyPolicy === 'FAIL_IF_EXISTS' && previous) {
      return forgeError(409, 'KEY_ALREADY_EXISTS', `The key ${key} already exists`);
    }
    const ttl = asRecord(options.ttl);
    const unit = typeof ttl.unit === 'string' ? TTL_UNITS[ttl.unit] : undefined;
    const expireTime =
      typeof ttl.value === 'number' && unit ? new Date(now() + ttl.value * unit).toISOString() : undefined;
    const at = now();
    const entry: KvsEntry = {
      key,
      value: request.value,
      createdAt: previous?.createdAt ?? at,
      updatedAt: at,
      ...(expireTime ? { expireTime } : {}),
    };
    namespace.set(key, entry);
    return options.returnValue === 'PREVIOUS' ? (previous ?? entry) : entry;
  }

  function setResponse(request: Record<string, unknown>, result: Response | KvsEntry): Response {
    if (result instanceof Response) return result;
    return asRecord(request.options).returnValue ? json(200, result) : json(204);
  }

  function read(namespace: Namespace, request: Record<string, unknown>): Response {
    const entry = typeof request.key === 'string' ? live(namespace, request.key) : undefined;
    if (!entry) return forgeError(404, 'KEY_NOT_FOUND', 'The key was not found');
    return json(200, entry);
  }

  function remove(namespace: Namespace, request: Record<string, unknown>): Response {
    if (typeof request.key !== 'string' || !live(namespace, request.key)) {
      return forgeError(404, 'KEY_NOT_FOUND', 'The key was not found');
    }
    namespace.delete(request.key);
    return json(204);
  }

  function query(request: Record<string, unknown>): Response {
    const limit = typeof request.limit === 'number' ? Math.min(Math.max(request.limit, 1), 100) : 10;
    const where = Array.isArray(request.where) ? request.where.map(asRecord) : [];
    const prefixes = where
      .filter((clause) => clause.property === 'key' && clause.condition === 'BEGINS_WITH')
      .map((clause) => String((clause.values as unknown[] | undefined)?.[0] ?? ''));
    if (where.length !== prefixes.length) {
      return forgeError(501, 'NOT_IMPLEMENTED', 'The devkit KVS supports only where("key", beginsWith(…))');
    }
    const after =
      typeof request.after === 'string' ? Buffer.from(request.after, 'base64url').toString('utf8') : '';
    const keys = [...plain.keys()]
      .filter((key) => live(plain, key) && prefixes.every((prefix) => key.startsWith(prefix)) && key > after)
      .sort();
    const page = keys.slice(0, limit);
    const more = keys.length > limit;
    return json(200, {
      data: page.map((key) => {
        const entry = plain.get(key)!;
        return { key, value: entry.value, ...(entry.expireTime ? { expireTime: entry.expireTime } : {}) };
      }),
      ...(more ? { cursor: Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url') } : {}),
    });
  }

  function namespaceFor(item: Record<string, unknown>): Namespace {
    return typeof item.entityName === 'string' ? entityNamespace(item.entityName) : plain;
  }

  function batch(kind: 'set' | 'get' | 'delete', body: unknown): Response {
    const items = Array.isArray(body) ? body.map(asRecord) : [];
    const successfulKeys: Record<string, unknown>[] = [];
    const failedKeys: Record<string, unknown>[] = [];
    for (const item of items) {
      const namespace = namespaceFor(item);
      const identity = { key: item.key, ...(item.entityName ? { entityName: item.entityName } : {}) };
      if (kind === 'set') {
        const result = write(namespace, item);
        if (result instanceof Response) {
          failedKeys.push({
            ...identity,
            error: { code: 'INVALID', message: 'The item could not be written' },
          });
        } else {
          successfulKeys.push(identity);
        }
      } else if (kind === 'get') {
        const entry = typeof item.key === 'string' ? live(namespace, item.key) : undefined;
        if (entry) successfulKeys.push({ ...identity, ...entry });
        else
          failedKeys.push({
            ...identity,
            error: { code: 'KEY_NOT_FOUND', message: 'The key was not found' },
          });
      } else if (typeof item.key === 'string' && live(namespace, item.key)) {
        namespace.delete(item.key);
        successfulKeys.push(identity);
      } else {
        failedKeys.push({ ...identity, error: { code: 'KEY_NOT_FOUND', message: 'The key was not found' } });
      }
    }
    return json(200, { successfulKeys, failedKeys });
  }

  function transaction(body: unknown): Response {
    const request = asRecord(body);
    if (Array.isArray(request.check) && request.check.length > 0) {
      return forgeError(501, 'NOT_IMPLEMENTED', 'The devkit KVS does not evaluate transaction checks');
    }
    const sets = Array.isArray(request.set) ? request.set.map(asRecord) : [];
    const deletes = Array.isArray(request.delete) ? request.delete.map(asRecord) : [];
    if (sets.length + deletes.length > 25) {
      return forgeError(400, 'TOO_MANY_OPERATIONS', 'A transaction holds at most 25 operations');
    }
    // All or nothing: validate every write before applying any.
    for (const item of sets) {
      const invalid = checkKey(item.key);
      if (invalid) return invalid;
    }
    for (const item of sets) write(namespaceFor(item), item);
    for (const item of deletes) if (typeof item.key === 'string') namespaceFor(item).delete(item.key);
    return json(204);
  }

  return {
    get: (key) => live(plain, key)?.value,
    set(key, value) {
      const result = write(plain, { key, value });
      if (result instanceof Response) throw new RangeError(`cannot store ${JSON.stringify(key)} in the KVS`);
    },
    delete: (key) => {
      plain.delete(key);
    },
    entries: () =>
      [...plain.keys()]
        .sort()
        .flatMap((key) => (live(plain, key) ? [[key, plain.get(key)!.value]] : [])) as Array<
        [string, unknown]
      >,
    getSecret: (key) => live(secrets, key)?.value,
    getEntity: (entityName, key) => live(entityNamespace(entityName), key)?.value,
    clear() {
      plain.clear();
      secrets.clear();
      entities.clear();
    },
    handle(path, body) {
      const request = asRecord(body);
      switch (path) {
        case '/api/v1/get':
          return read(plain, request);
        case '/api/v1/set':
          return setResponse(request, write(plain, request));
        case '/api/v1/delete':
          return remove(plain, request);
        case '/api/v1/query':
          return query(request);
        case '/api/v1/secret/get':
          return read(secrets, request);
        case '/api/v1/secret/set':
          return setResponse(request, write(secrets, request));
        case '/api/v1/secret/delete':
          return remove(secrets, request);
        case '/api/v1/entity/get':
          return read(entityNamespace(String(request.entityName)), request);
        case '/api/v1/entity/set':
          return setResponse(request, write(entityNamespace(String(request.entityName)), request));
        case '/api/v1/entity/delete':
          return remove(entityNamespace(String(request.entityName)), request);
        case '/api/v1/batch/set':
          return batch('set', body);
        case '/api/v1/batch/get':
          return batch('get', body);
        case '/api/v1/batch/delete':
          return batch('delete', body);
        case '/api/v1/transaction':
          return transaction(body);
        default:
          return forgeError(501, 'NOT_IMPLEMENTED', `The devkit KVS does not emulate ${path}`);
      }
    },
  };
}
