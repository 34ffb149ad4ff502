// Forge bundles function handlers from the app root's src/ (manifest `handler:
// index.<export>`). All Forge code lives in the forge-app workspace; this file
// only re-exports its handlers so the manifest can name them.
export { macroAdfExport, macroResolver, pageNoticeResolver, settingsResolver } from '../forge-app/src/index';
