/**
 * The only place the CLI reads the environment: the backend and key (so CI
 * keeps the key in a secret, not on a command line), and what GitHub Actions
 * sets for job summaries.
 */
export interface CliEnvironment {
  readonly backendUrl: string | undefined;
  readonly ingestKey: string | undefined;
  /** `$GITHUB_STEP_SUMMARY`: the file `--output github` appends its table to. */
  readonly githubStepSummary: string | undefined;
}

export function readCliEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return {
    backendUrl: value('PAGEWIRE_BACKEND_URL'),
    ingestKey: value('PAGEWIRE_INGEST_KEY'),
    githubStepSummary: value('GITHUB_STEP_SUMMARY'),
  };
}
