import { emulatedEndpoints } from './confluence-edge';

/**
 * The endpoints the emulator serves, as the `paths` of an OpenAPI document
 * in Atlassian's flavour: each operation's `x-atlassian-oauth2-scopes` are the
 * scopes the emulator checks, transcribed from Atlassian's v2 (and v1) specs
 * (docs/DEVKIT.md, "Confluence: what is emulated"). The manifest check hands
 * this to `@forge/lint`'s permission linter in place of the specs it would
 * download (docs/platform-notes.md#forge-lint-and-tsconfig).
 *
 * The first scope set of an operation is its current requirement; further
 * sets (v1's classic alternative) are listed as `Beta`, which the linter
 * accepts as an alternative rather than adding to the requirement.
 */
export interface OpenApiScopeEntry {
  readonly scheme: 'oAuthDefinitions';
  readonly state: 'Current' | 'Beta';
  readonly scopes: readonly string[];
}

export interface EmulatedOpenApi {
  readonly openapi: '3.0.1';
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Record<
    string,
    Record<string, { operationId: string; 'x-atlassian-oauth2-scopes': OpenApiScopeEntry[] }>
  >;
}

export function emulatedConfluenceOpenApi(): EmulatedOpenApi {
  const paths: EmulatedOpenApi['paths'] = {};
  for (const endpoint of emulatedEndpoints) {
    const path = endpoint.path.replace(/:([A-Za-z][\w-]*)/g, '{$1}');
    const methods = paths[path] ?? {};
    methods[endpoint.method.toLowerCase()] = {
      operationId: endpoint.operationId,
      'x-atlassian-oauth2-scopes': endpoint.scopes.map((scopes, index) => ({
        scheme: 'oAuthDefinitions',
        state: index === 0 ? 'Current' : 'Beta',
        scopes: [...scopes],
      })),
    };
    paths[path] = methods;
  }
  return {
    openapi: '3.0.1',
    info: { title: 'Confluence operations emulated by the devkit', version: '1' },
    paths,
  };
}
