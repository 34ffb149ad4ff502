import { describe, expect, it } from 'vitest';
import { defaultPublishingConfig, readPublishingConfig } from './publishing-config';

describe('the publishing configuration', () => {
  it('uses production defaults when nothing is set', () => {
    expect(readPublishingConfig({})).toEqual(defaultPublishingConfig);
  });

  it('reads the knobs and keeps three heartbeats per lease', () => {
    const config = readPublishingConfig({
      PAGEWIRE_PUBLISH_CONCURRENCY: '2',
      PAGEWIRE_PUBLISH_LEASE_MS: '6000',
    });
    expect(config).toMatchObject({ concurrency: 2, leaseMs: 6_000, heartbeatMs: 2_000 });
  });

  it('stops with one line naming the variable when a value is out of range', () => {
    expect(() => readPublishingConfig({ PAGEWIRE_PUBLISH_CONCURRENCY: '500' })).toThrow(
      /^PAGEWIRE_PUBLISH_CONCURRENCY: /,
    );
    expect(() => readPublishingConfig({ PAGEWIRE_PUBLISH_LEASE_MS: 'soon' })).toThrow(
      /PAGEWIRE_PUBLISH_LEASE_MS/,
    );
  });
});
