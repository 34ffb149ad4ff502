import { createMacroAdfExport } from './adf-export/macro-adf-export';
import { forgeAdfExportDependencies, forgeResolverDependencies } from './platform/forge-platform';
import { createMacroResolver } from './resolvers/macro-resolver';
import { createPageNoticeResolver } from './resolvers/page-notice-resolver';
import { createSettingsResolver } from './resolvers/settings-resolver';

/**
 * The Forge app's composition root: the handlers the manifest names
 * (`index.macroResolver`, …, re-exported by the root src/index.ts), wired to
 * the Forge runtime through `@forge/api`.
 */
const resolverDependencies = forgeResolverDependencies();

export const macroResolver = createMacroResolver(resolverDependencies);
export const settingsResolver = createSettingsResolver(resolverDependencies);
export const pageNoticeResolver = createPageNoticeResolver(resolverDependencies);
export const macroAdfExport = createMacroAdfExport(forgeAdfExportDependencies());
