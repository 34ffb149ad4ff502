export { macroAdfExport } from './adf-export/macro-adf-export';
export { macroResolver } from './resolvers/macro-resolver';
export { settingsResolver } from './resolvers/settings-resolver';
