import type { AdfDocument, AdfMark, AdfNode } from './adf-document';

/**
 * Small typed builders for the ADF nodes Pagewire produces. Node and attribute
 * names follow Atlassian's ADF reference
 * (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/);
 * every document built with them is still checked against the vendored JSON
 * schema before it is stored or sent. Shared, so the backend (pages,
 * snapshots) and the Forge app (the macro's export view) build the same nodes.
 */
export function doc(content: AdfNode[]): AdfDocument {
  return { version: 1, type: 'doc', content };
}

export function text(value: string, marks: AdfMark[] = []): AdfNode {
  return marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };
}

export function paragraph(content: AdfNode[] = []): AdfNode {
  return content.length > 0 ? { type: 'paragraph', content } : { type: 'paragraph' };
}

export function heading(level: number, content: AdfNode[]): AdfNode {
  const node: AdfNode = { type: 'heading', attrs: { level } };
  if (content.length > 0) node.content = content;
  return node;
}

export function panel(panelType: PanelType, content: AdfNode[]): AdfNode {
  return { type: 'panel', attrs: { panelType }, content };
}

export function codeBlock(code: string, language?: string): AdfNode {
  const node: AdfNode = { type: 'codeBlock' };
  if (language) node.attrs = { language };
  if (code.length > 0) node.content = [{ type: 'text', text: code }];
  return node;
}

export function rule(): AdfNode {
  return { type: 'rule' };
}

export function bulletList(items: AdfNode[]): AdfNode {
  return { type: 'bulletList', content: items };
}

export function listItem(content: AdfNode[]): AdfNode {
  return { type: 'listItem', content: content.length > 0 ? content : [paragraph()] };
}

export function status(label: string, color: StatusColor): AdfNode {
  return { type: 'status', attrs: { text: label, color } };
}

export function tableCell(content: AdfNode[], header = false): AdfNode {
  return {
    type: header ? 'tableHeader' : 'tableCell',
    content: content.length > 0 ? content : [paragraph()],
  };
}

export function tableRow(cells: AdfNode[]): AdfNode {
  return { type: 'tableRow', content: cells };
}

export function table(rows: AdfNode[]): AdfNode {
  return { type: 'table', content: rows };
}

export const strong: AdfMark = { type: 'strong' };
export const em: AdfMark = { type: 'em' };
export const code: AdfMark = { type: 'code' };

export function link(href: string, title?: string): AdfMark {
  return { type: 'link', attrs: title ? { href, title } : { href } };
}

export type PanelType = 'info' | 'note' | 'tip' | 'warning' | 'error' | 'success';
export type StatusColor = 'neutral' | 'purple' | 'blue' | 'red' | 'yellow' | 'green';
