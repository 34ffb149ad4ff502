import { describe, expect, it } from 'vitest';
import { createFaultInjector, faultsSchema, globToRegExp } from './faults';

describe('fault injector', () => {
  it('matches one segment with * and any number with **', () => {
    expect(
      globToRegExp('/ex/confluence/*/wiki/api/v2/pages').test('/ex/confluence/abc/wiki/api/v2/pages'),
    ).toBe(true);
    expect(globToRegExp('/ex/confluence/*/wiki').test('/ex/confluence/a/b/wiki')).toBe(false);
    expect(globToRegExp('/ex/**').test('/ex/confluence/a/b/wiki')).toBe(true);
    expect(globToRegExp('/a.b').test('/aXb')).toBe(false);
  });

  it('applies a rule with `times` only to that many matching requests', () => {
    const faults = createFaultInjector();
    faults.configure(faultsSchema.parse({ rules: [{ path: '/x', errorRate: 1, status: 502, times: 2 }] }));
    expect(faults.decide('GET', '/x', undefined).action).toBe('error');
    expect(faults.decide('GET', '/y', undefined).action).toBe('none');
    expect(faults.decide('POST', '/x', undefined).action).toBe('error');
    expect(faults.decide('GET', '/x', undefined).action).toBe('none');
  });

  it('only applies a rule to its method and site', () => {
    const faults = createFaultInjector();
    faults.configure(
      faultsSchema.parse({ rules: [{ path: '/**', method: 'PUT', cloudId: 'site-a', dropRate: 1 }] }),
    );
    expect(faults.decide('PUT', '/p', 'site-a').action).toBe('drop');
    expect(faults.decide('PUT', '/p', 'site-b').action).toBe('none');
    expect(faults.decide('GET', '/p', 'site-a').action).toBe('none');
  });

  it('draws the same sequence for the same seed', () => {
    const draw = () => {
      const faults = createFaultInjector();
      faults.configure(faultsSchema.parse({ seed: 99, rules: [{ path: '/**', errorRate: 0.3 }] }));
      return Array.from({ length: 40 }, () => faults.decide('GET', '/a', undefined).action);
    };
    const first = draw();
    expect(draw()).toEqual(first);
    expect(first.filter((action) => action === 'error').length).toBeGreaterThan(0);
    expect(first.filter((action) => action === 'none').length).toBeGreaterThan(0);
  });

  it('reports latency even when the request is not failed', () => {
    const faults = createFaultInjector();
    faults.configure(faultsSchema.parse({ rules: [{ path: '/**', latencyMs: 250 }] }));
    expect(faults.decide('GET', '/a', undefined)).toEqual({ action: 'none', latencyMs: 250 });
  });

  it('refuses rates outside 0–1 and statuses other than 500, 502 and 503', () => {
    expect(faultsSchema.safeParse({ rules: [{ path: '/a', errorRate: 2 }] }).success).toBe(false);
    expect(faultsSchema.safeParse({ rules: [{ path: '/a', status: 504 }] }).success).toBe(false);
    expect(faultsSchema.safeParse({ rules: [{ path: 'no-slash' }] }).success).toBe(false);
  });
});
