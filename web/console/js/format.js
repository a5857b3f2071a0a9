// Small formatting helpers for the console.

/** "5 min", "3 h", "2 d" from a timestamp in milliseconds. */
export function formatAge(i18n, sinceMs, nowMs = Date.now()) {
  const minutes = Math.max(0, Math.floor((nowMs - sinceMs) / 60000));
  if (minutes < 60) return i18n.t('age.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return i18n.t('age.hours', { n: hours });
  return i18n.t('age.days', { n: Math.floor(hours / 24) });
}

/** A translated label for a value, or the value itself when unknown. */
export function label(i18n, group, value) {
  if (value === undefined || value === null || value === '') return '';
  return i18n.value(`${group}.${value}`) !== undefined ? i18n.t(`${group}.${value}`) : String(value);
}

export const kStatuses = ['received', 'in_review', 'needs_info', 'verified', 'rejected'];
export const kCategories = ['intimate_image', 'sextortion', 'synthetic', 'child_abuse'];
export const kReasons = ['not_intimate', 'public_context', 'duplicate', 'insufficient_information', 'out_of_scope', 'other'];
