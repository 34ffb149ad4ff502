import { type BlockKey, blockKeySchema } from '@pagewire/shared';

/**
 * The macro's config as Confluence stores it: plain text in the page, editable
 * by anyone who can edit the page and by other apps
 * (https://developer.atlassian.com/platform/forge/add-configuration-to-a-macro-with-ui-kit/).
 * It only ever selects among blocks the space already owns, and every read
 * tolerates garbage by falling back to defaults.
 */
export const macroConfigFields = {
  blockKey: 'blockKey',
  showTitle: 'showTitle',
  rowsPerPage: 'rowsPerPage',
} as const;

export const rowsPerPageChoices = [10, 25, 50, 100] as const;
export type RowsPerPage = (typeof rowsPerPageChoices)[number];

export interface MacroConfig {
  blockKey?: BlockKey;
  showTitle: boolean;
  rowsPerPage: RowsPerPage;
}

export const defaultMacroConfig: MacroConfig = { showTitle: true, rowsPerPage: 10 };

export function macroConfigFrom(raw: unknown): MacroConfig {
  if (typeof raw !== 'object' || raw === null) return { ...defaultMacroConfig };
  const values = raw as Record<string, unknown>;
  const config: MacroConfig = { ...defaultMacroConfig };
  const blockKey = blockKeySchema.safeParse(choiceValue(values[macroConfigFields.blockKey]));
  if (blockKey.success) config.blockKey = blockKey.data;
  if (choiceValue(values[macroConfigFields.showTitle]) === 'hide') config.showTitle = false;
  const rows = Number(choiceValue(values[macroConfigFields.rowsPerPage]));
  const allowed = rowsPerPageChoices.find((choice) => choice === rows);
  if (allowed) config.rowsPerPage = allowed;
  return config;
}

/**
 * A Select in a UI Kit macro config may be saved as the chosen option
 * (`{label, value}`) or as its value; both are read the same.
 */
function choiceValue(raw: unknown): unknown {
  if (typeof raw === 'object' && raw !== null && 'value' in raw) return (raw as { value: unknown }).value;
  return raw;
}
