import { describe, expect, it } from 'vitest';
import { defaultMacroConfig, macroConfigFrom } from './macro-config';

describe('the macro config as stored in the page', () => {
  it('reads a block chosen in the Select, whether saved as the option or its value', () => {
    expect(
      macroConfigFrom({ blockKey: { label: 'Deploys (status)', value: 'deploy-status' } }).blockKey,
    ).toBe('deploy-status');
    expect(macroConfigFrom({ blockKey: 'deploy-status' }).blockKey).toBe('deploy-status');
  });

  it('reads the display options', () => {
    expect(macroConfigFrom({ blockKey: 'a', showTitle: 'hide', rowsPerPage: { value: '50' } })).toEqual({
      blockKey: 'a',
      showTitle: false,
      rowsPerPage: 50,
    });
  });

  it('falls back to defaults for anything another app or a hand edit left behind', () => {
    expect(macroConfigFrom({ blockKey: '../../etc', showTitle: 'maybe', rowsPerPage: '1000000' })).toEqual(
      defaultMacroConfig,
    );
    expect(macroConfigFrom(undefined)).toEqual(defaultMacroConfig);
    expect(macroConfigFrom('blockKey=deploy')).toEqual(defaultMacroConfig);
  });
});
