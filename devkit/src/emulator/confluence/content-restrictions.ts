import type { Page, Site } from '../state/emulator-state';
import type { Caller } from './credentials';

/**
 * View restrictions (docs/platform-notes.md#page-view-restrictions): a page
 * with a `read` restriction, and every page below it, can be seen only by
 * the accounts (and groups) the restriction names. Everyone else, the app's
 * bot user included, gets 404 for it and never finds it in a list, exactly as
 * for a page that does not exist. The emulator has no groups, so a
 * restriction to a group lets no emulated caller in.
 */
export function restrictionAllows(site: Site, page: Page, caller: Caller): boolean {
  const accountId =
    caller.principal.kind === 'user'
      ? caller.principal.accountId
      : caller.principal.installation.appAccountId;
  let current: Page | undefined = page;
  for (let depth = 0; current !== undefined && depth < 10_000; depth++) {
    const restriction = current.readRestriction;
    if (restriction !== undefined && !restriction.accountIds.has(accountId)) return false;
    current = current.parentId === null ? undefined : site.pages.get(current.parentId);
  }
  return true;
}
