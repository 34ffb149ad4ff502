import type { StatusTone } from '@pagewire/shared';

/** UI Kit Lozenge appearances (the long-standing six every host renders). */
export type LozengeAppearance = 'default' | 'inprogress' | 'moved' | 'new' | 'removed' | 'success';

/** The presentation model's tones as Lozenge appearances; the snapshot maps the same tones to ADF status colours. */
const toneAppearance: Readonly<Record<StatusTone, LozengeAppearance>> = {
  success: 'success',
  warning: 'moved',
  danger: 'removed',
  info: 'inprogress',
  neutral: 'default',
};

export function lozengeFor(tone: StatusTone): LozengeAppearance {
  return toneAppearance[tone];
}
