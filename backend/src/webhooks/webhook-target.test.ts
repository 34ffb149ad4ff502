import { describe, expect, it } from 'vitest';
import {
  checkTargetUrl,
  createGuardedLookup,
  type Resolve,
  refusedAddressRange,
  WebhookTargetError,
} from './webhook-target';

const STRICT = { allowPrivate: false };
const LOCAL_DEV = { allowPrivate: true };

describe('webhook targets', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2001::1', 'teredo'],
    ['ff02::1', 'multicast'],
  ])('refuse %s (%s)', (address, range) => {
    expect(refusedAddressRange(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
  ])('accept the public address %s', (address) => {
    expect(refusedAddressRange(address)).toBeNull();
  });

  it('accept only https URLs without credentials unless private targets are allowed', () => {
    expect(checkTargetUrl('https://hooks.example.com/pagewire', STRICT).href).toBe(
      'https://hooks.example.com/pagewire',
    );
    expect(() => checkTargetUrl('http://hooks.example.com/', STRICT)).toThrow(/https only/);
    expect(() => checkTargetUrl('https://user:pw@hooks.example.com/', STRICT)).toThrow(
      /user name or password/,
    );
    expect(() => checkTargetUrl('ftp://hooks.example.com/', LOCAL_DEV)).toThrow(WebhookTargetError);
    expect(checkTargetUrl('http://127.0.0.1:8080/hook', LOCAL_DEV).host).toBe('127.0.0.1:8080');
  });

  it.each([
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://[::ffff:7f00:1]/',
    'https://169.254.169.254/latest/meta-data/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://[fd00::1]:8443/',
  ])('refuse the address literal in %s before any request', (url) => {
    expect(() => checkTargetUrl(url, STRICT)).toThrow(/not a public one/);
  });

  function lookupWith(answers: Record<string, Array<{ address: string; family: number }>>) {
    const resolve: Resolve = async (name) => {
      const found = answers[name];
      if (found === undefined) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return found;
    };
    const lookup = createGuardedLookup(STRICT, resolve);
    return (name: string, all = false) =>
      new Promise<{ error: Error | null; address: unknown }>((done) =>
        lookup(name, { all }, (error, address) => done({ error, address })),
      );
  }

  it('hand the socket the public addresses it checked, all of them when asked for all', async () => {
    const lookup = lookupWith({
      'hooks.example.com': [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
    });
    expect(await lookup('hooks.example.com')).toEqual({ error: null, address: '93.184.215.14' });
    expect((await lookup('hooks.example.com', true)).address).toHaveLength(2);
  });

  it('refuse a name when any of its answers is private, so a rebinding answer never connects', async () => {
    const lookup = lookupWith({
      'rebind.example.com': [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
      'metadata.example.com': [{ address: '::ffff:169.254.169.254', family: 6 }],
    });
    const mixed = await lookup('rebind.example.com');
    expect(mixed.error).toBeInstanceOf(WebhookTargetError);
    expect(mixed.error?.message).toMatch(/loopback/);
    expect((await lookup('metadata.example.com')).error?.message).toMatch(/linkLocal/);
  });

  it('report a name that does not resolve as unresolvable', async () => {
    const result = await lookupWith({})('nowhere.example.com');
    expect((result.error as WebhookTargetError).refusal).toBe('unresolvable');
  });
});
