import Resolver from '@forge/resolver';

// Resolver keys for the macro are defined in the Forge app issue (#7).
const resolver = new Resolver();

export const macroResolver = resolver.getDefinitions();
