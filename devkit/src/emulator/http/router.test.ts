import { describe, expect, it } from 'vitest';
import { createRouter, splitPath } from './router';

describe('router', () => {
  it('matches literal paths and captures decoded parameters', () => {
    const router = createRouter<string>();
    router.add('GET', '/wiki/api/v2/pages/:id', 'page');
    expect(router.lookup('GET', '/wiki/api/v2/pages/42')).toEqual({
      kind: 'matched',
      handler: 'page',
      params: { id: '42' },
      pattern: '/wiki/api/v2/pages/:id',
    });
    router.add('GET', '/_dev/forge/installations/:installationId', 'installation');
    const lookup = router.lookup(
      'GET',
      '/_dev/forge/installations/ari%3Acloud%3Aecosystem%3A%3Ainstallation%2Fabc',
    );
    expect(lookup.kind === 'matched' && lookup.params.installationId).toBe(
      'ari:cloud:ecosystem::installation/abc',
    );
  });

  it('prefers the route with more literal segments whatever the registration order', () => {
    const router = createRouter<string>();
    router.add('GET', '/pages/:id/:part', 'generic');
    router.add('GET', '/pages/:id/children', 'children');
    const lookup = router.lookup('GET', '/pages/1/children');
    expect(lookup.kind === 'matched' && lookup.handler).toBe('children');
  });

  it('tells a wrong method from an unknown path', () => {
    const router = createRouter<string>();
    router.add('GET', '/pages', 'list');
    router.add('POST', '/pages', 'create');
    expect(router.lookup('DELETE', '/pages')).toEqual({
      kind: 'method_not_allowed',
      allowed: ['GET', 'POST'],
    });
    expect(router.lookup('GET', '/spaces')).toEqual({ kind: 'not_found' });
  });

  it('does not match a parameter with a broken percent-escape', () => {
    const router = createRouter<string>();
    router.add('GET', '/pages/:id', 'page');
    expect(router.lookup('GET', '/pages/%E0%A4%A').kind).toBe('not_found');
  });

  it('ignores empty segments when splitting paths', () => {
    expect(splitPath('/a//b/')).toEqual(['a', 'b']);
    expect(splitPath('/')).toEqual([]);
  });
});
