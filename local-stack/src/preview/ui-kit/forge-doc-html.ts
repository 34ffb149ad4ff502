import { type ForgeDoc, handlerId } from '@pagewire/devkit/forge-doc';
import type { AdfNode } from '@pagewire/shared';
import { renderAdfNodes } from '../adf-html';
import { attributes, escapeHtml, safeHref } from '../html';
import { colorValue, spaceValue, styleFrom } from './design-tokens';

/**
 * Renders a ForgeDoc tree to HTML, the way the Confluence host turns UI Kit
 * trees into Atlassian Design System components, for the components Pagewire
 * uses (the list is in docs/LOCAL-STACK.md). Looks are the preview's own
 * (preview.css), close to Atlassian's, with none of their assets.
 *
 * Interactions stay on the server: an element that the user can act on
 * names its node and handler (`data-pw-node`, `data-pw-prop`), and the browser sends the
 * event back; host-only state (which tab is open, which table page is shown)
 * is kept by the host and sent back as `data-pw-host` actions.
 */
export interface ForgeDocRenderContext {
  /** Display name for a `User`'s accountId. */
  userName(accountId: string): string | undefined;
  /** Host state: the open tab of a `Tabs`, the page of a paginated `DynamicTable`, by node key. */
  selected(key: string): number;
  /** In a macro config (`MacroConfig` root): the saved values of the named fields. */
  readonly configValues?: Readonly<Record<string, unknown>>;
}

type Render = (node: ForgeDoc, context: ForgeDocRenderContext) => string;

function children(node: ForgeDoc, context: ForgeDocRenderContext): string {
  return node.children.map((child) => renderForgeDoc(child, context)).join('');
}

function testId(node: ForgeDoc): string | undefined {
  return typeof node.props.testId === 'string' ? node.props.testId : undefined;
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function eventAttributes(node: ForgeDoc, prop: string, event: string): Record<string, string | undefined> {
  if (!handlerId(node.props[prop]) || !node.key) return {};
  return { 'data-pw-node': node.key, 'data-pw-prop': prop, 'data-pw-event': event };
}

const alignments: Readonly<Record<string, string>> = {
  start: 'flex-start',
  center: 'center',
  end: 'flex-end',
  stretch: 'stretch',
  baseline: 'baseline',
};

function flexStyle(node: ForgeDoc, direction: 'row' | 'column'): string {
  const props = node.props;
  const declarations = [`flex-direction:${direction}`];
  const gap = spaceValue(props.space);
  if (gap) declarations.push(`gap:${gap}`);
  const rowGap = spaceValue(props.rowSpace);
  if (rowGap) declarations.push(`row-gap:${rowGap}`);
  const cross = alignments[String(direction === 'row' ? props.alignBlock : props.alignInline)];
  if (cross) declarations.push(`align-items:${cross}`);
  const main = alignments[String(direction === 'row' ? props.alignInline : props.alignBlock)];
  if (main) declarations.push(`justify-content:${main}`);
  if (props.spread === 'space-between') declarations.push('justify-content:space-between');
  if (props.shouldWrap) declarations.push('flex-wrap:wrap');
  if (props.grow === 'fill') declarations.push('flex-grow:1');
  return declarations.join(';');
}

const headingSizes = new Set(['xxlarge', 'xlarge', 'large', 'medium', 'small', 'xsmall', 'xxsmall']);
const lozengeAppearances = new Set(['default', 'inprogress', 'moved', 'new', 'removed', 'success']);
const messageAppearances = new Set([
  'information',
  'warning',
  'error',
  'success',
  'discovery',
  'change',
  'info',
]);
const buttonAppearances = new Set([
  'default',
  'primary',
  'subtle',
  'warning',
  'danger',
  'link',
  'subtle-link',
]);
const icons: Readonly<Record<string, string>> = { refresh: '↻', add: '+', edit: '✎', trash: '🗑', check: '✓' };
const messageIcons: Readonly<Record<string, string>> = {
  information: 'ℹ',
  info: 'ℹ',
  warning: '⚠',
  error: '⨯',
  success: '✓',
  discovery: '✦',
  change: '↻',
};

function optionsOf(node: ForgeDoc): Array<{ label: string; value: unknown }> {
  const raw = Array.isArray(node.props.options) ? node.props.options : [];
  return raw.map((option) =>
    typeof option === 'object' && option !== null && 'value' in option
      ? {
          label: String((option as { label?: unknown }).label ?? ''),
          value: (option as { value: unknown }).value,
        }
      : { label: String(option), value: option },
  );
}

/** A select's or radio group's current value: its own prop, the saved config, then its default. */
function currentValue(node: ForgeDoc, context: ForgeDocRenderContext): unknown {
  const name = string(node.props.name);
  const raw =
    node.props.value !== undefined
      ? node.props.value
      : name !== undefined && context.configValues?.[name] !== undefined
        ? context.configValues[name]
        : node.props.defaultValue;
  return typeof raw === 'object' && raw !== null && 'value' in raw ? (raw as { value: unknown }).value : raw;
}

/** Fields in a macro config without their own handler are saved by the host, as Confluence does. */
function configAttributes(
  node: ForgeDoc,
  context: ForgeDocRenderContext,
): Record<string, string | undefined> {
  const name = string(node.props.name);
  if (context.configValues === undefined || name === undefined || handlerId(node.props.onChange)) return {};
  return { 'data-pw-config': name };
}

function renderTable(node: ForgeDoc, context: ForgeDocRenderContext): string {
  const wrapper = (name: string) =>
    node.children.find((child) => child.type === 'ContentWrapper' && child.props.name === name);
  const cells = (row: ForgeDoc) => row.children.filter((child) => child.type === 'Cell');
  const head = wrapper('head');
  const rows = (wrapper('rows')?.children ?? []).filter((child) => child.type === 'Row');
  const perPage =
    typeof node.props.rowsPerPage === 'number' && node.props.rowsPerPage > 0 ? node.props.rowsPerPage : 0;
  // Host state outlives the app instance (the 5-second macro refresh starts a new one, whose node keys are new),
  // so a table is known by what stays the same: its testId, else its caption.
  const stableCaption = string(node.props.caption);
  const key =
    string(node.props.testId) ??
    (stableCaption === undefined ? undefined : `table:${stableCaption}`) ??
    node.key ??
    'table';
  const pages = perPage ? Math.max(1, Math.ceil(rows.length / perPage)) : 1;
  const page = Math.min(pages - 1, Math.max(0, context.selected(key)));
  const shown = perPage ? rows.slice(page * perPage, (page + 1) * perPage) : rows;
  const caption = string(node.props.caption);
  let html = `<div class="pw-table-wrap"${attributes({ 'data-testid': testId(node) })}><table class="pw-table">`;
  if (caption) html += `<caption>${escapeHtml(caption)}</caption>`;
  if (head) {
    html += `<thead><tr>${head.children
      .filter((child) => child.type === 'Cell')
      .map((cell) => `<th>${children(cell, context)}</th>`)
      .join('')}</tr></thead>`;
  }
  html += `<tbody>${shown
    .map(
      (row) =>
        `<tr>${cells(row)
          .map((cell) => `<td>${children(cell, context)}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
  if (rows.length === 0 && typeof node.props.emptyView === 'string') {
    html += `<p class="pw-table-empty">${escapeHtml(node.props.emptyView)}</p>`;
  }
  if (pages > 1) {
    const button = (target: number, label: string, disabled: boolean) =>
      `<button type="button" class="pw-button pw-button--subtle"${attributes({ 'data-pw-host': 'select', 'data-pw-target': key, 'data-pw-value': target, disabled })}>${label}</button>`;
    html += `<nav class="pw-pager" aria-label="Table pages">${button(page - 1, '‹ Previous', page === 0)}<span>${page + 1} / ${pages}</span>${button(page + 1, 'Next ›', page >= pages - 1)}</nav>`;
  }
  return `${html}</div>`;
}

function renderTabs(node: ForgeDoc, context: ForgeDocRenderContext): string {
  const key = string(node.props.id) ?? node.key ?? 'tabs';
  const list = node.children.find((child) => child.type === 'TabList');
  const tabs = (list?.children ?? []).filter((child) => child.type === 'Tab');
  const panels = node.children.filter((child) => child.type === 'TabPanel');
  const selected = Math.min(Math.max(0, context.selected(key)), Math.max(0, tabs.length - 1));
  const buttons = tabs
    .map(
      (tab, index) =>
        `<button type="button" role="tab" class="pw-tab"${attributes({ 'aria-selected': index === selected ? 'true' : 'false', 'data-pw-host': 'select', 'data-pw-target': key, 'data-pw-value': index })}>${children(tab, context)}</button>`,
    )
    .join('');
  const panel = panels[selected];
  return `<div class="pw-tabs"${attributes({ 'data-testid': testId(node) })}><div role="tablist" class="pw-tab-list">${buttons}</div><div role="tabpanel" class="pw-tab-panel">${panel ? children(panel, context) : ''}</div></div>`;
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join('');
}

const renderers: Readonly<Record<string, Render>> = {
  Root: (node, context) => `<div class="pw-ui-kit">${children(node, context)}</div>`,
  MacroConfig: (node, context) => `<div class="pw-ui-kit pw-macro-config">${children(node, context)}</div>`,
  String: (node) => escapeHtml(node.props.text),
  Stack: (node, context) =>
    `<div class="pw-stack"${attributes({ style: flexStyle(node, 'column'), 'data-testid': testId(node) })}>${children(node, context)}</div>`,
  Inline: (node, context) =>
    `<div class="pw-inline"${attributes({ style: flexStyle(node, 'row'), 'data-testid': testId(node) })}>${children(node, context)}</div>`,
  Box: (node, context) => {
    const { xcss, ...props } = node.props;
    const style = [
      styleFrom(props),
      typeof xcss === 'object' && xcss !== null ? styleFrom(xcss as Record<string, unknown>) : '',
    ]
      .filter(Boolean)
      .join(';');
    return `<div class="pw-box"${attributes({ style: style || undefined, 'data-testid': testId(node) })}>${children(node, context)}</div>`;
  },
  Heading: (node, context) => {
    const as = string(node.props.as);
    const tag = as && /^h[1-6]$/.test(as) ? as : as === 'span' ? 'span' : 'h2';
    const size = headingSizes.has(String(node.props.size)) ? String(node.props.size) : 'medium';
    return `<${tag} class="pw-heading pw-heading--${size}"${attributes({ 'data-testid': testId(node) })}>${children(node, context)}</${tag}>`;
  },
  Text: (node, context) => {
    const declarations: string[] = [];
    const colour = colorValue(node.props.color);
    if (colour) declarations.push(`color:${colour}`);
    if (node.props.weight === 'bold' || node.props.weight === 'semibold' || node.props.weight === 'medium') {
      declarations.push(`font-weight:${node.props.weight === 'medium' ? 500 : 600}`);
    }
    if (node.props.align === 'center' || node.props.align === 'end')
      declarations.push(`text-align:${node.props.align}`);
    const size =
      node.props.size === 'small' ? ' pw-text--small' : node.props.size === 'large' ? ' pw-text--large' : '';
    return `<p class="pw-text${size}"${attributes({ style: declarations.join(';') || undefined, 'data-testid': testId(node) })}>${children(node, context)}</p>`;
  },
  Lozenge: (node, context) => {
    const appearance = lozengeAppearances.has(String(node.props.appearance))
      ? String(node.props.appearance)
      : 'default';
    return `<span class="pw-lozenge pw-lozenge--${appearance}${node.props.isBold ? ' pw-lozenge--bold' : ''}"${attributes({ 'data-testid': testId(node) })}>${children(node, context)}</span>`;
  },
  Link: (node, context) => {
    // UI Kit's Link takes site-relative paths such as /wiki/… too (docs/platform-notes.md#ui-kit-links).
    const raw = node.props.href;
    const href =
      typeof raw === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(raw) ? raw : safeHref(node.props.href);
    if (!href) return `<span class="pw-link-broken">${children(node, context)}</span>`;
    return `<a class="pw-link"${attributes({ href, target: node.props.openNewTab ? '_blank' : undefined, rel: 'noopener noreferrer' })}>${children(node, context)}</a>`;
  },
  Tooltip: (node, context) =>
    `<span class="pw-tooltip"${attributes({ title: string(node.props.content) })}>${children(node, context)}</span>`,
  DynamicTable: renderTable,
  SectionMessage: (node, context) => {
    const appearance = messageAppearances.has(String(node.props.appearance))
      ? String(node.props.appearance)
      : 'information';
    const title = string(node.props.title);
    const role = appearance === 'error' || appearance === 'warning' ? 'alert' : 'status';
    return `<section class="pw-message pw-message--${appearance}"${attributes({ role, 'data-testid': testId(node) })}><span class="pw-message-icon" aria-hidden="true">${messageIcons[appearance]}</span><div class="pw-message-body">${title ? `<h4 class="pw-message-title">${escapeHtml(title)}</h4>` : ''}${children(node, context)}</div></section>`;
  },
  Button: renderButton,
  LoadingButton: renderButton,
  ButtonGroup: (node, context) =>
    `<div class="pw-button-group"${attributes({ role: 'group', 'aria-label': string(node.props.label) })}>${children(node, context)}</div>`,
  Textfield: (node, context) => {
    const type = ['text', 'password', 'number', 'email', 'url', 'tel'].includes(String(node.props.type))
      ? String(node.props.type)
      : 'text';
    return `<input class="pw-textfield"${attributes({
      id: string(node.props.id),
      name: string(node.props.name),
      type,
      value:
        node.props.value === undefined ? string(node.props.defaultValue) : String(node.props.value ?? ''),
      placeholder: string(node.props.placeholder),
      min: typeof node.props.min === 'number' ? node.props.min : undefined,
      max: typeof node.props.max === 'number' ? node.props.max : undefined,
      disabled: Boolean(node.props.isDisabled),
      readonly: Boolean(node.props.isReadOnly),
      'aria-invalid': node.props.isInvalid ? 'true' : undefined,
      autocomplete: type === 'password' ? 'off' : undefined,
      'data-testid': testId(node),
      ...eventAttributes(node, 'onChange', 'input'),
      ...configAttributes(node, context),
    })}>`;
  },
  TextArea: (node, context) =>
    `<textarea class="pw-textfield"${attributes({
      id: string(node.props.id),
      name: string(node.props.name),
      placeholder: string(node.props.placeholder),
      disabled: Boolean(node.props.isDisabled),
      ...eventAttributes(node, 'onChange', 'input'),
      ...configAttributes(node, context),
    })}>${escapeHtml(node.props.value ?? node.props.defaultValue ?? '')}</textarea>`,
  DatePicker: (node, context) =>
    `<input class="pw-textfield pw-datepicker" type="date"${attributes({
      id: string(node.props.id),
      name: string(node.props.name),
      value: string(node.props.value) ?? string(node.props.defaultValue),
      disabled: Boolean(node.props.isDisabled),
      'aria-invalid': node.props.isInvalid ? 'true' : undefined,
      ...eventAttributes(node, 'onChange', 'change'),
      ...configAttributes(node, context),
    })}>`,
  Label: (node, context) =>
    `<label class="pw-label"${attributes({ for: string(node.props.labelFor), id: string(node.props.id) })}>${children(node, context)}</label>`,
  HelperMessage: (node, context) => `<p class="pw-helper">${children(node, context)}</p>`,
  ErrorMessage: (node, context) => `<p class="pw-error-message" role="alert">${children(node, context)}</p>`,
  ValidMessage: (node, context) => `<p class="pw-valid-message">${children(node, context)}</p>`,
  Toggle: (node, context) =>
    `<input class="pw-toggle" type="checkbox" role="switch"${attributes({
      id: string(node.props.id),
      name: string(node.props.name),
      checked: Boolean(node.props.isChecked ?? node.props.defaultChecked),
      disabled: Boolean(node.props.isDisabled),
      'aria-label': string(node.props.label),
      'data-testid': testId(node),
      ...eventAttributes(node, 'onChange', 'change'),
      ...configAttributes(node, context),
    })}>`,
  RadioGroup: (node, context) => {
    const current = currentValue(node, context);
    const name = string(node.props.name) ?? node.key ?? 'radio';
    const inputs = optionsOf(node)
      .map(
        (option) =>
          `<label class="pw-radio"><input${attributes({
            type: 'radio',
            name,
            value: String(option.value),
            checked: option.value === current,
            disabled: Boolean(node.props.isDisabled),
            ...eventAttributes(node, 'onChange', 'change'),
            ...configAttributes(node, context),
          })}> ${escapeHtml(option.label)}</label>`,
      )
      .join('');
    return `<div class="pw-radio-group" role="radiogroup"${attributes({ 'aria-labelledby': string(node.props['aria-labelledby']), 'data-testid': testId(node) })}>${inputs}</div>`;
  },
  Select: (node, context) => {
    const current = currentValue(node, context);
    const options = optionsOf(node);
    const chosen = options.findIndex((option) => option.value === current);
    const placeholder = string(node.props.placeholder) ?? 'Select…';
    return `<select class="pw-select"${attributes({
      id: string(node.props.inputId) ?? string(node.props.id) ?? string(node.props.name),
      name: string(node.props.name),
      disabled: Boolean(node.props.isDisabled),
      required: Boolean(node.props.isRequired),
      'data-testid': testId(node),
      ...eventAttributes(node, 'onChange', 'change'),
      ...configAttributes(node, context),
    })}><option value=""${chosen === -1 ? ' selected' : ''} disabled>${escapeHtml(placeholder)}</option>${options
      .map(
        (option, index) =>
          `<option${attributes({ value: index, selected: index === chosen })}>${escapeHtml(option.label)}</option>`,
      )
      .join('')}</select>`;
  },
  Code: (node, context) => `<code class="pw-code">${children(node, context)}</code>`,
  CodeBlock: (node) => `<pre class="pw-code-block"><code>${escapeHtml(node.props.text ?? '')}</code></pre>`,
  List: (node, context) =>
    node.props.type === 'ordered'
      ? `<ol class="pw-list">${children(node, context)}</ol>`
      : `<ul class="pw-list">${children(node, context)}</ul>`,
  ListItem: (node, context) => `<li>${children(node, context)}</li>`,
  EmptyState: (node, context) =>
    `<div class="pw-empty-state"${attributes({ 'data-testid': testId(node) })}><h4>${escapeHtml(node.props.header ?? '')}</h4>${
      typeof node.props.description === 'string' ? `<p>${escapeHtml(node.props.description)}</p>` : ''
    }${children(node, context)}</div>`,
  User: (node, context) => {
    const accountId = String(node.props.accountId ?? '');
    const name = context.userName(accountId) ?? 'Unknown user';
    return `<span class="pw-user"${attributes({ title: accountId })}><span class="pw-avatar" aria-hidden="true">${escapeHtml(initials(name))}</span>${escapeHtml(name)}</span>`;
  },
  Tabs: renderTabs,
  ModalTransition: (node, context) => children(node, context),
  Modal: (node, context) =>
    `<div class="pw-modal-backdrop"${attributes(eventAttributes(node, 'onClose', 'close'))}><div class="pw-modal" role="dialog" aria-modal="true"${attributes({ 'data-testid': testId(node) })}>${children(node, context)}</div></div>`,
  ModalHeader: (node, context) => `<div class="pw-modal-header">${children(node, context)}</div>`,
  ModalTitle: (node, context) =>
    `<h3 class="pw-modal-title${node.props.appearance === 'danger' || node.props.appearance === 'warning' ? ` pw-modal-title--${node.props.appearance}` : ''}">${children(node, context)}</h3>`,
  ModalBody: (node, context) => `<div class="pw-modal-body">${children(node, context)}</div>`,
  ModalFooter: (node, context) => `<div class="pw-modal-footer">${children(node, context)}</div>`,
  AdfRenderer: (node) => {
    const document = node.props.document as { content?: AdfNode[] } | undefined;
    return `<div class="pw-adf">${renderAdfNodes(document?.content)}</div>`;
  },
  Spinner: () => '<span class="pw-spinner" role="status" aria-label="Loading"></span>',
  Badge: (node, context) => `<span class="pw-badge">${children(node, context)}</span>`,
  Strong: (node, context) => `<strong>${children(node, context)}</strong>`,
  Em: (node, context) => `<em>${children(node, context)}</em>`,
};

function renderButton(node: ForgeDoc, context: ForgeDocRenderContext): string {
  const appearance = buttonAppearances.has(String(node.props.appearance))
    ? String(node.props.appearance)
    : 'default';
  const loading = node.type === 'LoadingButton' && Boolean(node.props.isLoading);
  const icon = icons[String(node.props.iconBefore)] ?? '';
  return `<button type="button" class="pw-button pw-button--${appearance}"${attributes({
    disabled: Boolean(node.props.isDisabled) || loading,
    'aria-busy': loading ? 'true' : undefined,
    'data-testid': testId(node),
    ...eventAttributes(node, 'onClick', 'click'),
  })}>${loading ? '<span class="pw-spinner" aria-hidden="true"></span>' : ''}${icon ? `<span aria-hidden="true">${icon}</span> ` : ''}${children(node, context)}</button>`;
}

export function renderForgeDoc(node: ForgeDoc, context: ForgeDocRenderContext): string {
  const render = renderers[node.type];
  if (render) return render(node, context);
  return `<div class="pw-unsupported" title="The local preview does not draw this UI Kit component">${escapeHtml(node.type)}: ${children(node, context)}</div>`;
}

/** The UI Kit components the preview draws (docs/LOCAL-STACK.md lists them). */
export const SUPPORTED_COMPONENTS: readonly string[] = Object.keys(renderers).filter(
  (name) => !['Root', 'MacroConfig', 'String'].includes(name),
);
