import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, LocalStackOptionsError, readLocalStackOptions } from './local-stack-options';

describe('npm start options', () => {
  it('uses fixed default ports and ./data under the directory npm start was run in', () => {
    expect(readLocalStackOptions([], {}, '/home/me/pagewire')).toEqual({
      host: '127.0.0.1',
      previewPort: DEFAULT_PORTS.preview,
      backendPort: DEFAULT_PORTS.backend,
      emulatorPort: DEFAULT_PORTS.emulator,
      dataDir: '/home/me/pagewire/data',
      demoIntervalMs: 5000,
    });
  });

  it('takes ports from the environment, and a flag over the environment', () => {
    const options = readLocalStackOptions(
      ['--preview-port', '0'],
      { PAGEWIRE_PREVIEW_PORT: '5000', PAGEWIRE_BACKEND_PORT: '5001' },
      '/x',
    );
    expect(options).toMatchObject({ previewPort: 0, backendPort: 5001 });
  });

  it('refuses a port that is not one, and an unknown flag, with a sentence', () => {
    expect(() => readLocalStackOptions(['--backend-port', '70000'], {}, '/x')).toThrow(
      LocalStackOptionsError,
    );
    expect(() => readLocalStackOptions(['--backend-port', '70000'], {}, '/x')).toThrow(
      /--backend-port must be a port number/,
    );
    expect(() => readLocalStackOptions(['--colour'], {}, '/x')).toThrow(LocalStackOptionsError);
    expect(() => readLocalStackOptions(['--demo-interval', '10'], {}, '/x')).toThrow(/--demo-interval/);
  });

  it('answers --help', () => {
    expect(readLocalStackOptions(['--help'], {}, '/x')).toBe('help');
  });
});
