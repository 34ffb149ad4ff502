import { describe, expect, it } from 'vitest';
import { makeProblem, problemCodes, problemSchema, problemStatus } from '../errors/problem';
import { isOperationName, operationNames, operations } from './operations';

describe('the operation catalogue', () => {
  it('lists exactly the operations the backend serves', () => {
    expect(operationNames.sort()).toEqual(
      [
        'activity.list',
        'apiToken.remove',
        'apiToken.set',
        'blocks.delete',
        'blocks.get',
        'blocks.list',
        'blocks.overview',
        'exportKeys.create',
        'exportKeys.revoke',
        'ingestKeys.create',
        'ingestKeys.revoke',
        'lifecycle.installed',
        'lifecycle.tokenRefresh',
        'lifecycle.uninstalled',
        'pages.list',
        'pages.notice',
        'pages.overwrite',
        'pages.release',
        'settings.get',
        'settings.update',
        'webhooks.create',
        'webhooks.delete',
        'webhooks.list',
        'webhooks.test',
      ].sort(),
    );
  });

  it('marks every write as admin-only', () => {
    const writes = [
      'settings.update',
      'apiToken.set',
      'apiToken.remove',
      'ingestKeys.create',
      'ingestKeys.revoke',
      'blocks.delete',
      'pages.overwrite',
      'pages.release',
      'exportKeys.create',
      'exportKeys.revoke',
      'webhooks.create',
      'webhooks.delete',
      'webhooks.test',
    ];
    for (const name of writes) expect(operations[name as keyof typeof operations].access).toBe('admin');
  });

  it('does not treat inherited object keys as operations', () => {
    expect(isOperationName('toString')).toBe(false);
    expect(isOperationName('__proto__')).toBe(false);
    expect(isOperationName('blocks.get')).toBe(true);
  });

  it('refuses an API token with a line break pasted into it', () => {
    const parsed = operations['apiToken.set'].input.safeParse({
      email: 'svc@example.com',
      token: 'ATATT3xFfGF0abcdef\n0123456789',
      expiresAt: '2027-01-31',
    });
    expect(parsed.success).toBe(false);
  });

  it('refuses an empty settings update', () => {
    expect(operations['settings.update'].input.safeParse({}).success).toBe(false);
  });
});

describe('problem details', () => {
  it('gives every code a 4xx or 5xx status', () => {
    for (const code of problemCodes) {
      expect(problemStatus[code]).toBeGreaterThanOrEqual(400);
      expect(problemStatus[code]).toBeLessThan(600);
    }
  });

  it('builds problems that validate against the published shape', () => {
    const problem = makeProblem('block_not_found', 'No block "deploy" in space ENG.', { requestId: 'r1' });
    expect(problemSchema.parse(problem)).toMatchObject({
      status: 404,
      code: 'block_not_found',
      requestId: 'r1',
    });
  });
});
