import { describe, expect, it } from 'vitest';
import { isAllowedSiteUrl } from './site-url';

const API = new URL('https://api.atlassian.com');

describe('the site URLs Pagewire records', () => {
  it('accepts any https site Atlassian reports, not only *.atlassian.net (https://developer.atlassian.com/platform/forge/remote/essentials/)', () => {
    expect(isAllowedSiteUrl('https://acme.atlassian.net', API)).toBe(true);
    expect(isAllowedSiteUrl('https://pbray2.jira-dev.com', API)).toBe(true);
    expect(isAllowedSiteUrl('https://wiki.example.org', API)).toBe(true);
  });

  it('refuses what no site URL looks like', () => {
    expect(isAllowedSiteUrl('http://acme.atlassian.net', API)).toBe(false);
    expect(isAllowedSiteUrl('https://user:pw@acme.atlassian.net', API)).toBe(false);
    expect(isAllowedSiteUrl('https://acme.atlassian.net/?next=evil', API)).toBe(false);
    expect(isAllowedSiteUrl('https://localhost', API)).toBe(false);
    expect(isAllowedSiteUrl('not a url', API)).toBe(false);
  });

  it('accepts the devkit twin sites under the configured API origin', () => {
    expect(isAllowedSiteUrl('http://127.0.0.1:4002/site/demo', new URL('http://127.0.0.1:4002'))).toBe(true);
  });
});
