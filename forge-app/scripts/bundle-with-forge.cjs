// A CommonJS entry point, so that `require.main` exists for @forge/bundler's
// webpack config; the work is in bundle-with-forge.cts, loaded through tsx.
require('tsx/cjs');
require('./bundle-with-forge.cts').main(process.argv);
