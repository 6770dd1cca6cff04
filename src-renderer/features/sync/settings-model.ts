// The Sync settings form as text fields, and the checks that mirror main's schema (so mistakes show
// at the field while typing; main checks again on save).
import type { SyncSettings } from '../../../src-shared/domain/sync';

export type ScheduleUnit = 'm' | 'h' | 'd';

/** What the form holds (numbers as typed). */
export interface SettingsDraft {
  scheduleMode: 'never' | 'every';
  everyN: string;
  everyUnit: ScheduleUnit;
  percent: string;
  count: string;
  dropPercent: string;
  rnfAction: 'deny' | 'placeInOrg';
  rnfOrg: string;
}

/** The form's fields that can carry an error. */
export type SettingsField = 'every' | 'percent' | 'count' | 'dropPercent' | 'org';

export const UNIT_LABELS: Record<ScheduleUnit, string> = { m: 'minutes', h: 'hours', d: 'days' };

export function draftOfSettings(s: SyncSettings): SettingsDraft {
  const m = /^([1-9]\d{0,4})([mhd])$/.exec(s.every.trim());
  return {
    scheduleMode: m ? 'every' : 'never',
    everyN: m ? m[1] : '12',
    everyUnit: m ? (m[2] as ScheduleUnit) : 'h',
    percent: String(s.deactivationLimit.percent),
    count: String(s.deactivationLimit.count),
    dropPercent: String(s.deactivationLimit.dropPercent),
    rnfAction: s.registrantsNotFound.action,
    rnfOrg: s.registrantsNotFound.action === 'placeInOrg' ? s.registrantsNotFound.org : '',
  };
}

function numberOf(text: string): number {
  return /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text.trim()) : Number.NaN;
}

const UNIT_MS: Record<ScheduleUnit, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The settings the draft stands for, and its problems by field (empty when it can be saved). */
export function settingsOfDraft(d: SettingsDraft): { settings: SyncSettings; issues: Partial<Record<SettingsField, string>> } {
  const issues: Partial<Record<SettingsField, string>> = {};
  let every = 'never';
  if (d.scheduleMode === 'every') {
    const n = d.everyN.trim();
    every = `${n}${d.everyUnit}`;
    if (!/^[1-9]\d{0,4}$/.test(n)) issues.every = 'Enter a whole number from 1.';
    else if (Number(n) * UNIT_MS[d.everyUnit] < 5 * 60_000) issues.every = 'The shortest schedule is every 5 minutes.';
    else if (Number(n) * UNIT_MS[d.everyUnit] > 365 * 86_400_000) issues.every = 'The longest schedule is every 365 days.';
  }
  const percent = numberOf(d.percent);
  if (Number.isNaN(percent) || percent > 100) issues.percent = 'Enter a percentage from 0 to 100.';
  const count = numberOf(d.count);
  if (!Number.isInteger(count) || count > 10_000_000) issues.count = 'Enter a whole number of users (0 to 10,000,000).';
  const dropPercent = numberOf(d.dropPercent);
  if (Number.isNaN(dropPercent) || dropPercent > 100) issues.dropPercent = 'Enter a percentage from 0 to 100.';
  const org = d.rnfOrg.trim();
  if (d.rnfAction === 'placeInOrg' && !org) issues.org = 'Choose the organization to place them in.';
  return {
    settings: {
      every,
      deactivationLimit: { percent, count, dropPercent },
      registrantsNotFound: d.rnfAction === 'placeInOrg' ? { action: 'placeInOrg', org } : { action: 'deny' },
    },
    issues,
  };
}

/** True when two settings are the same. */
export function sameSettings(a: SyncSettings, b: SyncSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The field an issue path from main belongs to (`settings.deactivationLimit.percent` -> percent), or null. */
export function settingsFieldOf(path: string): SettingsField | null {
  const last = path.split('.').pop() ?? '';
  if (last === 'every' || last === 'percent' || last === 'count' || last === 'dropPercent' || last === 'org') return last;
  return null;
}

/** "every 12 hours", "never" (the renderer's twin of the shared describeEvery). */
export function describeEvery(every: string): string {
  const m = /^([1-9]\d{0,4})([mhd])$/.exec(every.trim());
  if (!m) return 'never';
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 'minute' : m[2] === 'h' ? 'hour' : 'day';
  return `every ${n === 1 ? '' : `${n} `}${unit}${n === 1 ? '' : 's'}`;
}
