import type { StatusTone } from '@pagewire/shared';

/** UI Kit Lozenge appearances (the long-standing six every host renders). */
export type LozengeAppearance = 'default' | 'inprogress' | 'moved' | 'new' | 'removed' | 'success';

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

/**
 * Table cells formatted as `status` carry free text ("passing", "DOWN"); the
 * colour follows the common words so a column of statuses reads at a glance.
 */
export function lozengeForStatusText(text: string): LozengeAppearance {
  const word = text.trim().toLowerCase();
  if (/^(ok|up|pass(ed|ing)?|green|healthy|success(ful)?|done|operational|active|online)$/.test(word))
    return 'success';
  if (/^(fail(ed|ing|ure)?|down|red|error|broken|outage|critical|offline)$/.test(word)) return 'removed';
  if (/^(warn(ing)?|degraded|yellow|amber|slow|partial|at risk)$/.test(word)) return 'moved';
  if (/^(running|in progress|pending|queued|deploying|building)$/.test(word)) return 'inprogress';
  return 'default';
}
