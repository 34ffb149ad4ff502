/**
 * UI Kit props name design tokens (`space.150`, `color.text.subtle`,
 * `radius.medium`). The preview maps the ones Pagewire uses to CSS custom
 * properties defined in preview.css, with values chosen to read like
 * Atlassian's light theme (the scale is the documented 8 px grid:
 * https://atlassian.design/foundations/spacing). Unknown tokens fall back to
 * nothing rather than to a guess.
 */
const spaceScale: Readonly<Record<string, string>> = {
  'space.0': '0',
  'space.025': '2px',
  'space.050': '4px',
  'space.075': '6px',
  'space.100': '8px',
  'space.150': '12px',
  'space.200': '16px',
  'space.250': '20px',
  'space.300': '24px',
  'space.400': '32px',
  'space.500': '40px',
  'space.600': '48px',
  'space.800': '64px',
  'space.1000': '80px',
};

const sizeScale: Readonly<Record<string, string>> = {
  'size.100': '16px',
  'size.200': '24px',
  'size.300': '32px',
  'size.400': '40px',
  'size.500': '48px',
  'size.600': '96px',
  'size.1000': '192px',
};

const radiusScale: Readonly<Record<string, string>> = {
  'radius.xsmall': '2px',
  'radius.small': '3px',
  'radius.medium': '6px',
  'radius.large': '8px',
  'radius.xlarge': '12px',
  'radius.full': '999px',
  'border.radius': '3px',
};

const borderWidths: Readonly<Record<string, string>> = {
  'border.width': '1px',
  'border.width.0': '0',
  'border.width.outline': '2px',
  'border.width.selected': '2px',
};

export function spaceValue(token: unknown): string | undefined {
  return typeof token === 'string' ? spaceScale[token] : undefined;
}

/** `color.text.subtle` → `var(--pw-color-text-subtle)`; the stylesheet defines the ones in use. */
export function colorValue(token: unknown): string | undefined {
  if (typeof token !== 'string' || !/^(color|elevation)\.[a-z0-9.]+$/i.test(token)) return undefined;
  return `var(--pw-${token.replace(/\./g, '-')})`;
}

/** Length-like xcss values: tokens, `100%`, or plain px/rem values. */
function lengthValue(value: unknown): string | undefined {
  if (typeof value === 'number') return `${value}px`;
  if (typeof value !== 'string') return undefined;
  return (
    spaceScale[value] ??
    sizeScale[value] ??
    radiusScale[value] ??
    borderWidths[value] ??
    (/^-?\d+(\.\d+)?(px|rem|em|%)$/.test(value) ? value : undefined)
  );
}

const cssNames: Readonly<Record<string, { css: string; kind: 'length' | 'color' | 'keyword' }>> = {
  backgroundColor: { css: 'background-color', kind: 'color' },
  color: { css: 'color', kind: 'color' },
  borderColor: { css: 'border-color', kind: 'color' },
  borderStyle: { css: 'border-style', kind: 'keyword' },
  borderWidth: { css: 'border-width', kind: 'length' },
  borderRadius: { css: 'border-radius', kind: 'length' },
  width: { css: 'width', kind: 'length' },
  height: { css: 'height', kind: 'length' },
  minWidth: { css: 'min-width', kind: 'length' },
  maxWidth: { css: 'max-width', kind: 'length' },
  minHeight: { css: 'min-height', kind: 'length' },
  padding: { css: 'padding', kind: 'length' },
  paddingBlock: { css: 'padding-block', kind: 'length' },
  paddingInline: { css: 'padding-inline', kind: 'length' },
  paddingBlockStart: { css: 'padding-block-start', kind: 'length' },
  paddingBlockEnd: { css: 'padding-block-end', kind: 'length' },
  paddingInlineStart: { css: 'padding-inline-start', kind: 'length' },
  paddingInlineEnd: { css: 'padding-inline-end', kind: 'length' },
  margin: { css: 'margin', kind: 'length' },
  marginBlock: { css: 'margin-block', kind: 'length' },
  marginInline: { css: 'margin-inline', kind: 'length' },
  display: { css: 'display', kind: 'keyword' },
  textAlign: { css: 'text-align', kind: 'keyword' },
};

/** Turns Box props and an `xcss` object into a style attribute value; unknown keys are dropped. */
export function styleFrom(values: Record<string, unknown>): string {
  const declarations: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const spec = cssNames[name];
    if (!spec) continue;
    const css =
      spec.kind === 'color'
        ? colorValue(value)
        : spec.kind === 'length'
          ? lengthValue(value)
          : typeof value === 'string' && /^[a-z-]+$/.test(value)
            ? value
            : undefined;
    if (css !== undefined) declarations.push(`${spec.css}:${css}`);
  }
  return declarations.join(';');
}
