import { describe, expect, it } from 'vitest';
import strings from '../../locales/board.js';
import cockpitStrings from '../../locales/cockpit.js';
import { GOAL, boardQuery, dateOf, namesOf, pageCount, rankDepartments, ratePercent, rateOf } from './board.js';
import { hotIssuesGuard, navLinks, routes } from './routes.js';

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('on-time rates', () => {
  it('formats rates to one decimal and clamps them', () => {
    expect(ratePercent(0.9567)).toBe('95.7');
    expect(ratePercent(0.95)).toBe('95.0');
    expect(ratePercent(1)).toBe('100.0');
    expect(ratePercent(0)).toBe('0.0');
    expect(ratePercent(0.99951)).toBe('100.0');
    expect(ratePercent(1.2)).toBe('100.0');
    expect(ratePercent(null)).toBeNull();
    expect(ratePercent(Number.NaN)).toBeNull();
  });
  it('computes a missing rate from the counts', () => {
    expect(rateOf({ replied: 4, replied_on_time: 3, on_time_rate: null })).toBe(0.75);
    expect(rateOf({ replied: 0, replied_on_time: 0 })).toBeNull();
    expect(rateOf({ replied: 4, replied_on_time: 3, on_time_rate: 0.5 })).toBe(0.5);
  });
  it('ranks departments best first, marks the goal and drops those without answers', () => {
    const ranked = rankDepartments(
      [
        { dept_id: 'a', replied: 10, replied_on_time: 9, on_time_rate: 0.9 },
        { dept_id: 'b', replied: 20, replied_on_time: 19, on_time_rate: 0.95 },
        { dept_id: 'c', replied: 0, replied_on_time: 0, on_time_rate: null },
        { dept_id: 'd', replied: 40, replied_on_time: 38, on_time_rate: 0.95 },
        { dept_id: 'e', replied: 3, replied_on_time: 3, on_time_rate: 1 },
      ],
      { a: '住建局', b: '交通局', d: '市场监管局' },
    );
    expect(ranked.map((d) => d.dept_id)).toEqual(['e', 'd', 'b', 'a']);
    expect(ranked.map((d) => d.met)).toEqual([true, true, true, false]);
    expect(ranked[1]).toMatchObject({ name: '市场监管局', pct: '95.0', width: 95, replied: 40, onTime: 38 });
    expect(ranked[0].name).toBe('e');
    expect(GOAL).toBe(0.95);
  });
});

describe('paging', () => {
  it('asks for the right page of the right department', () => {
    expect(boardQuery(1)).toEqual({ limit: 10, offset: 0 });
    expect(boardQuery(3, 'zjj')).toEqual({ limit: 10, offset: 20, dept_id: 'zjj' });
    expect(boardQuery(0)).toEqual({ limit: 10, offset: 0 });
    expect(boardQuery('x')).toEqual({ limit: 10, offset: 0 });
  });
  it('counts pages, at least one', () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(10)).toBe(1);
    expect(pageCount(11)).toBe(2);
  });
  it('shows the server date and department names', () => {
    expect(dateOf('2026-11-20T09:30:00.000+08:00')).toBe('2026-11-20');
    expect(dateOf(null)).toBe('');
    expect(namesOf({ departments: [{ id: 'zjj', name: '住建局' }] })).toEqual({ zjj: '住建局' });
  });
});

describe('routes and navigation', () => {
  const t = (k) => k;
  const official = (roles, dept = 'zwfw') => ({ kind: 'official', roles, dept_id: dept });
  it('shows the board to everyone and hot issues to supervisors, admins and the hotline', () => {
    expect(navLinks({ user: null, t }).map((l) => l.to)).toEqual(['/appeals/board']);
    expect(navLinks({ user: { kind: 'citizen', roles: [] }, t }).map((l) => l.to)).toEqual(['/appeals/board']);
    expect(navLinks({ user: official(['clerk'], 'scjg'), t }).map((l) => l.to)).toEqual(['/appeals/board']);
    for (const u of [official(['supervisor']), official(['admin']), official(['clerk'], '12345'), official(['reviewer'], '12345')]) {
      expect(navLinks({ user: u, t }).map((l) => l.to)).toContain('/cockpit/hot-issues');
    }
  });
  it('guards the hot-issue page and leaves the board public', () => {
    const board = routes.find((r) => r.path === '/appeals/board');
    expect(board.meta.auth).toBeFalsy();
    expect(hotIssuesGuard(official(['supervisor']))).toBe(true);
    expect(hotIssuesGuard(official(['clerk'], '12345'))).toBe(true);
    expect(hotIssuesGuard(official(['clerk'], 'scjg'))).toEqual({ path: '/workbench', query: { denied: '1' } });
  });
});

describe('strings', () => {
  it('has every Chinese string in English', () => {
    expect(keys(strings.en).sort()).toEqual(keys(strings.zh).sort());
    expect(keys(cockpitStrings.en).sort()).toEqual(keys(cockpitStrings.zh).sort());
  });
});
