import { describe, expect, it } from 'vitest';
import { createLogCapture } from '../testing/log-capture';
import { createLogger, REDACTION_CENSOR, redactSecrets } from './logger';

function loggerWithCapture() {
  const logs = createLogCapture();
  return { logs, logger: createLogger({ level: 'info', destination: logs.stream }) };
}

describe('log redaction', () => {
  it('blanks secrets at the top level and nested in objects and arrays, keeping everything else', () => {
    const { logs, logger } = loggerWithCapture();
    logger.info(
      {
        token: 'top-secret-1',
        installationId: 'ari:cloud:ecosystem::installation/a',
        request: {
          headers: { authorization: 'Bearer fit-2', 'x-forge-oauth-system': 'sys-3', accept: 'json' },
        },
        body: { input: { token: 'deep-4', email: 'a@b.c' } },
        attempts: [{ apiToken: 'ATATT-5', status: 401 }],
        count: 3,
      },
      'something happened',
    );
    const [line] = logs.lines();
    expect(line).toMatchObject({
      msg: 'something happened',
      token: REDACTION_CENSOR,
      installationId: 'ari:cloud:ecosystem::installation/a',
      request: {
        headers: {
          authorization: REDACTION_CENSOR,
          'x-forge-oauth-system': REDACTION_CENSOR,
          accept: 'json',
        },
      },
      body: { input: { token: REDACTION_CENSOR, email: 'a@b.c' } },
      attempts: [{ apiToken: REDACTION_CENSOR, status: 401 }],
      count: 3,
    });
    for (const secret of ['top-secret-1', 'fit-2', 'sys-3', 'deep-4', 'ATATT-5']) {
      expect(logs.text()).not.toContain(secret);
    }
  });

  it('blanks secrets in a child logger’s bindings and on a logged error', () => {
    const { logs, logger } = loggerWithCapture();
    const error = Object.assign(new Error('the token check failed'), {
      ingestKey: 'pwk_secret-6',
      code: 'E_X',
    });
    logger
      .child({ requestId: 'req-12345678', masterKey: 'mk-7' })
      .child({ call: { token: 'ct-10' } })
      .error({ err: error }, 'failed');
    const [line] = logs.lines();
    expect(line).toMatchObject({
      requestId: 'req-12345678',
      masterKey: REDACTION_CENSOR,
      call: { token: REDACTION_CENSOR },
      err: { type: 'Error', message: 'the token check failed', ingestKey: REDACTION_CENSOR, code: 'E_X' },
    });
    expect(logs.text()).not.toContain('pwk_secret-6');
    expect(logs.text()).not.toContain('mk-7');
    expect(logs.text()).not.toContain('ct-10');
  });

  it('never changes the object the caller logged', () => {
    const logged = { nested: { secret: 's-8' }, list: [{ key: 'k-9' }] };
    const redacted = redactSecrets(logged);
    expect(redacted).toEqual({ nested: { secret: REDACTION_CENSOR }, list: [{ key: REDACTION_CENSOR }] });
    expect(logged).toEqual({ nested: { secret: 's-8' }, list: [{ key: 'k-9' }] });
  });

  it('hands back an object without secrets as it is', () => {
    const line = { method: 'POST', route: '/forge/v1/blocks.get', status: 200, nested: { a: [1, 2] } };
    expect(redactSecrets(line)).toBe(line);
  });
});
