/**
 * How deep content may nest. Deep nesting is how one small request used to
 * stall or crash the backend: every recursive walk (schema checks, the ADF
 * validator, Markdown→ADF) costs a stack frame per level, and the Markdown
 * parser's time grows with the square of the depth. Real documents stay far
 * below these limits (a ten-level nested list is already unreadable), so
 * they are refused at the door with `too_deeply_nested` instead.
 */

/**
 * Objects and arrays inside one another in a JSON body. An ADF node costs two
 * levels (the node and its `content` array), a nested list four (list, item,
 * and their arrays), so this allows about 30 levels of nested lists in ADF.
 */
export const MAX_JSON_NESTING_DEPTH = 128;

/** Block quotes and list items inside one another on one line of Markdown (`> > - 1. text`). */
export const MAX_MARKDOWN_NESTING_DEPTH = 32;

/**
 * The deepest nesting of objects and arrays in a parsed JSON value, counted
 * without recursion (so the count itself cannot overflow the stack), and
 * stopping as soon as `stopAbove` is exceeded. A scalar has depth 0.
 */
export function measureJsonDepth(value: unknown, stopAbove = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    const here = depth + 1;
    if (here > deepest) {
      deepest = here;
      if (deepest > stopAbove) return deepest;
    }
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) {
      if (child !== null && typeof child === 'object') pending.push({ value: child, depth: here });
    }
  }
  return deepest;
}

const FENCE = /^(`{3,}|~{3,})/;

/**
 * The deepest run of container markers (`>` block quotes, `-`/`*`/`+`/`1.`
 * list items) that opens one line of Markdown, in one linear pass, lines in
 * fenced code blocks not counted. It reads the text the way CommonMark opens
 * containers, not exactly: nesting built from indentation alone is not seen
 * here, and is bounded by the renderer's time budget instead.
 */
export function measureMarkdownNesting(markdown: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  let fence: string | null = null;
  let index = 0;
  const length = markdown.length;
  while (index < length) {
    let end = markdown.indexOf('\n', index);
    if (end === -1) end = length;
    let position = index;
    let depth = 0;
    for (;;) {
      if (depth > stopAbove && fence === null) return depth;
      while (position < end && (markdown[position] === ' ' || markdown[position] === '\t')) position++;
      const char = markdown[position];
      if (char === '>') {
        depth++;
        position++;
        continue;
      }
      const next = markdown[position + 1];
      const spaceOrEnd = position + 1 >= end || next === ' ' || next === '\t';
      if ((char === '-' || char === '*' || char === '+') && spaceOrEnd) {
        depth++;
        position++;
        continue;
      }
      let digits = 0;
      while (digits < 10 && position + digits < end && /[0-9]/.test(markdown[position + digits]!)) digits++;
      const after = markdown[position + digits];
      const afterNext = markdown[position + digits + 1];
      if (
        digits > 0 &&
        digits < 10 &&
        (after === '.' || after === ')') &&
        (position + digits + 1 >= end || afterNext === ' ' || afterNext === '\t')
      ) {
        depth++;
        position += digits + 1;
        continue;
      }
      break;
    }
    const fenceMatch = FENCE.exec(markdown.slice(position, Math.min(end, position + 64)));
    if (fence !== null) {
      // A closing fence is at least as long as the opening one, of the same character.
      if (fenceMatch !== null && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length) {
        fence = null;
      }
    } else {
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
      if (fenceMatch !== null) fence = fenceMatch[1]!;
    }
    index = end + 1;
  }
  return deepest;
}
