import { describe, expect, it } from 'vitest';
import { createAdfValidator } from './adf-validator';

const validator = createAdfValidator();

describe('ADF validation against the published schema', () => {
  it('accepts a paragraph with a strong mark', () => {
    const doc = {
      version: 1,
      type: 'doc',
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'hello', marks: [{ type: 'strong' }] }] },
      ],
    };
    expect(validator.validate(doc)).toEqual({ valid: true });
  });

  it('refuses a node type that ADF does not define', () => {
    const result = validator.validate({ version: 1, type: 'doc', content: [{ type: 'marquee' }] });
    expect(result.valid).toBe(false);
  });

  it('refuses a heading level outside 1–6', () => {
    const result = validator.validate({
      version: 1,
      type: 'doc',
      content: [{ type: 'heading', attrs: { level: 9 }, content: [{ type: 'text', text: 'x' }] }],
    });
    expect(result.valid).toBe(false);
  });

  it('refuses text with no characters, which Confluence also rejects', () => {
    const result = validator.validate({
      version: 1,
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
    });
    expect(result.valid).toBe(false);
  });
});
