import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonical JSON', () => {
  it('writes the same string whatever order the keys came in, at every level', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } };
    const b = JSON.parse('{"a":{"c":"x","d":[1,{"x":1,"y":2}]},"b":1}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('sorts integer-like keys as text, where JSON.stringify would put them first', () => {
    expect(canonicalJson({ '9': 'nine', '10': 'ten', a: 0 })).toBe('{"10":"ten","9":"nine","a":0}');
  });

  it('leaves out undefined members and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('keeps array order, which is part of the content', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });
});
