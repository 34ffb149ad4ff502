import Resolver from '@forge/resolver';

// Resolver keys for the space settings page are defined in the Forge app issue (#7).
const resolver = new Resolver();

export const settingsResolver = resolver.getDefinitions();
