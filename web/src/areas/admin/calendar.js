// Working-day calendar helpers for the admin calendar page.

// 0 = Sunday … 6 = Saturday of an ISO date "YYYY-MM-DD", independent of the time zone.
export function weekdayOf(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export const isWeekend = (date) => [0, 6].includes(weekdayOf(date));

// A declared exception that changes nothing (a holiday on a weekend, a working day on a
// weekday) is allowed by the server but almost always a slip: the page warns about it.
export function redundant(date, kind) {
  return (kind === 'holiday') === isWeekend(date);
}

export function summarize(days) {
  return {
    holidays: days.filter((d) => d.kind === 'holiday').length,
    workdays: days.filter((d) => d.kind === 'workday').length,
  };
}

export function sortDays(days) {
  return [...days].sort((a, b) => a.date.localeCompare(b.date));
}
