import { describe, expect, it } from 'vitest';
import {
  describeAge,
  describeMinutes,
  formatDate,
  formatDateTime,
  formatNumber,
  withUnit,
} from './display-format';

const now = new Date('2026-11-28T10:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

describe('how long ago a block was updated', () => {
  it('reads like a person would say it', () => {
    expect(describeAge(ago(10), now)).toBe('just now');
    expect(describeAge(ago(3 * 60), now)).toBe('3 min ago');
    expect(describeAge(ago(59 * 60), now)).toBe('59 min ago');
    expect(describeAge(ago(60 * 60), now)).toBe('1 hour ago');
    expect(describeAge(ago(5 * 3600), now)).toBe('5 hours ago');
    expect(describeAge(ago(30 * 3600), now)).toBe('yesterday');
    expect(describeAge(ago(4 * 86_400), now)).toBe('4 days ago');
    expect(describeAge(ago(60 * 86_400), now)).toBe('on 29 Sep 2026');
  });

  it('calls a timestamp a few seconds in the future “just now”, because clocks drift', () => {
    expect(describeAge(new Date(now.getTime() + 5_000).toISOString(), now)).toBe('just now');
  });

  it('does not pretend to know when a garbled time was', () => {
    expect(describeAge('yesterday-ish', now)).toBe('at an unknown time');
  });

  it('shows exact times in UTC, labelled', () => {
    expect(formatDate('2026-01-31')).toBe('31 Jan 2026');
    expect(formatDateTime('2026-11-28T09:57:12Z')).toBe('28 Nov 2026, 09:57 UTC');
  });
});

describe('numbers as a reader sees them', () => {
  it('shows at most two decimals, with thousands separators', () => {
    expect(formatNumber(12345.678)).toBe('12,345.68');
    expect(formatNumber(99.953)).toBe('99.95');
    expect(formatNumber(42)).toBe('42');
  });

  it('keeps a small non-zero number from reading as zero', () => {
    expect(formatNumber(0.0042)).toBe('0.0042');
    expect(formatNumber(-0.000123)).toBe('-0.00012');
    expect(formatNumber(0)).toBe('0');
  });

  it('signs changes, except no change at all', () => {
    expect(formatNumber(15, { signed: true })).toBe('+15');
    expect(formatNumber(-0.02, { signed: true })).toBe('-0.02');
    expect(formatNumber(0, { signed: true })).toBe('0');
  });

  it('puts one-character units next to the number and words after a space', () => {
    expect(withUnit('99.95', '%')).toBe('99.95%');
    expect(withUnit('182', 'ms')).toBe('182 ms');
    expect(withUnit('42', undefined)).toBe('42');
  });

  it('says a staleness threshold the way a sentence would', () => {
    expect(describeMinutes(60)).toBe('an hour');
    expect(describeMinutes(180)).toBe('3 hours');
    expect(describeMinutes(1440)).toBe('a day');
    expect(describeMinutes(2880)).toBe('2 days');
    expect(describeMinutes(45)).toBe('45 min');
  });
});
