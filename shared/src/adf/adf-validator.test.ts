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

  it('explains a misplaced node once, by where it is, instead of once per node type it is not', () => {
    const result = validator.validate({
      version: 1,
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'heading', attrs: { level: 1 } }] }],
    });
    expect(result).toEqual({
      valid: false,
      errors: [
        { path: '/content/0/content/0', message: 'a "heading" node is not allowed inside "paragraph"' },
      ],
    });
  });

  it('names the first few distinct problems of a document, each with its path', () => {
    const result = validator.validate({
      version: 1,
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 9 } },
        { type: 'marquee' },
        { type: 'paragraph', content: [{ type: 'text' }] },
        { type: 'heading' },
      ],
    });
    expect(result).toEqual({
      valid: false,
      errors: [
        { path: '/content/0/attrs/level', message: 'must be <= 6' },
        { path: '/content/1/type', message: '"marquee" is not an ADF node type' },
        { path: '/content/2/content/0', message: 'is missing "text"' },
      ],
    });
  });

  it('says which required field a node lacks', () => {
    const result = validator.validate({ version: 1, type: 'doc', content: [{ type: 'heading' }] });
    expect(result).toEqual({ valid: false, errors: [{ path: '/content/0', message: 'is missing "attrs"' }] });
  });
});
