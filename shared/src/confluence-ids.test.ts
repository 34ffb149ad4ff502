import { describe, expect, it } from 'vitest';
import { spaceKeySchema } from './confluence-ids';

// Space keys as Confluence hands them out (docs/platform-notes.md#space-keys):
// https://confluence.atlassian.com/spaces/CONF53/pages/411108753/Creating+a+Space (letters and digits, ≤ 255;
// "Personal spaces use your username as the space key"), behind `~`, or an account id in Cloud.
describe('space keys', () => {
  it.each([
    'DOCS',
    'eng',
    'TEAM42',
    'A'.repeat(255),
    '~john.smith',
    '~jsmith@example.com',
    '~j_smith-2',
    '~557058:f58131cb-b67d-43c7-b30d-6b58d40bd077',
    '~712020f3a1b2c3d4e5f6a7b8c9d0e1f2',
  ])('accepts %s, a key Confluence can return', (key) => {
    expect(spaceKeySchema.safeParse(key).success).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['~', 'a tilde alone'],
    ['ENG TEAM', 'a site key with a space'],
    ['ENG-1', 'a site key with punctuation'],
    ['~john smith', 'whitespace'],
    ['~a,b', 'a comma, which v2 reads as two keys'],
    ['~../admin', 'a path separator'],
    ['~evil\u0000', 'a control character'],
    ['A'.repeat(256), 'longer than 255'],
  ])('refuses %j (%s)', (key) => {
    expect(spaceKeySchema.safeParse(key).success).toBe(false);
  });
});
