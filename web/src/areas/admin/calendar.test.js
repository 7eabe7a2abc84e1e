import { describe, it, expect } from 'vitest';
import { weekdayOf, isWeekend, redundant, summarize, sortDays } from './calendar.js';

describe('calendar helpers', () => {
  it('knows the weekday of a date', () => {
    expect(weekdayOf('2026-01-01')).toBe(4); // Thursday
    expect(weekdayOf('2026-02-14')).toBe(6); // Saturday
    expect(isWeekend('2026-02-15')).toBe(true);
    expect(isWeekend('2026-02-16')).toBe(false);
  });

  it('flags exceptions that change nothing', () => {
    expect(redundant('2026-02-14', 'holiday')).toBe(true);
    expect(redundant('2026-02-14', 'workday')).toBe(false);
    expect(redundant('2026-01-01', 'workday')).toBe(true);
    expect(redundant('2026-01-01', 'holiday')).toBe(false);
  });

  it('counts and sorts', () => {
    const days = [{ date: '2026-02-14', kind: 'workday' }, { date: '2026-01-01', kind: 'holiday' }, { date: '2026-01-02', kind: 'holiday' }];
    expect(summarize(days)).toEqual({ holidays: 2, workdays: 1 });
    expect(sortDays(days).map((d) => d.date)).toEqual(['2026-01-01', '2026-01-02', '2026-02-14']);
  });
});
