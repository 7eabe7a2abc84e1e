import { describe, expect, it } from 'vitest';
import locales from '../../locales/grid.js';
import {
  STATES, actionBody, alertOf, availableActions, buildFilters, buildTimeline, chinaMidnight, classTree, filtersFromQuery,
  filtersToQuery, formatRate, goalMark, markerOptions, openCountByCell, periodEndingToday, stateStyle, supervisedCells,
} from './grid.js';

const keysOf = (o, p = '') => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keysOf(v, `${p}${k}.`) : [`${p}${k}`]));
const lookup = (o, path) => path.split('.').reduce((a, k) => a?.[k], o);

describe('state styles', () => {
  it('gives every state a distinct colour and a label that exists in both languages', () => {
    const colours = new Set(STATES.map((s) => stateStyle(s).colour));
    expect(colours.size).toBe(STATES.length);
    for (const s of STATES) {
      const key = stateStyle(s).labelKey;
      expect(key).toBe(`grid.states.${s}`);
      expect(lookup(locales.zh, key)).toMatch(/\S/);
      expect(lookup(locales.en, key)).toMatch(/\S/);
    }
  });
  it('marks finished events by shape as well as colour', () => {
    expect(stateStyle('closed').filled).toBe(false);
    expect(stateStyle('rejected').filled).toBe(false);
    expect(stateStyle('dispatched').filled).toBe(true);
    expect(markerOptions('closed').fillOpacity).toBeLessThan(markerOptions('reported').fillOpacity);
  });
  it('labels an unknown state as unknown rather than guessing', () => {
    expect(stateStyle('weird').labelKey).toBe('grid.states.unknown');
  });
  it('keeps the same keys in zh and en', () => {
    expect(keysOf(locales.en).sort()).toEqual(keysOf(locales.zh).sort());
  });
});

const ev = (over = {}) => ({
  id: 'GE2026110100000001', state: 'dispatched', class_code: '0101', source: 'public', reported_at: '2026-11-10T09:00:00+08:00',
  where: { cell_code: '329900001001001', street_code: '329900001' }, dept_id: 'cgj', revision: 4, evaluation: null, ...over,
});

describe('filters', () => {
  it('sends every filter to the API and matches fetched events the same way', () => {
    const { query, matches } = buildFilters({ state: 'closed', class_code: '0101', source: 'sensor', street: '329900001', from: '2026-11-01', to: '2026-11-10' });
    expect(query).toEqual({ state: 'closed', class: '0101', street: '329900001', source: 'sensor', from: '2026-11-01', to: '2026-11-10' });
    expect(buildFilters({ from: '11/01/2026' }).query).toEqual({});
    const ok = ev({ state: 'closed', source: 'sensor' });
    expect(matches(ok)).toBe(true);
    expect(matches({ ...ok, source: 'public' })).toBe(false);
    expect(matches({ ...ok, state: 'checking' })).toBe(false);
    expect(matches({ ...ok, where: { street_code: '329900002' } })).toBe(false);
  });
  it('treats the date range in China time with an inclusive end day', () => {
    const { matches } = buildFilters({ from: '2026-11-10', to: '2026-11-10' });
    expect(matches(ev({ reported_at: '2026-11-10T00:00:00+08:00' }))).toBe(true);
    expect(matches(ev({ reported_at: '2026-11-10T23:59:59+08:00' }))).toBe(true);
    expect(matches(ev({ reported_at: '2026-11-09T23:59:59+08:00' }))).toBe(false);
    expect(matches(ev({ reported_at: '2026-11-11T00:00:00+08:00' }))).toBe(false);
    expect(matches(ev({ reported_at: '2026-11-09T16:30:00Z' }))).toBe(true); // 00:30 on the 10th in China
  });
  it('sends nothing for empty filters and matches everything', () => {
    const { query, matches } = buildFilters(filtersFromQuery({}));
    expect(query).toEqual({});
    expect(matches(ev())).toBe(true);
  });
  it('round-trips through the URL query, ignoring unknown keys', () => {
    const f = { state: 'checking', class_code: '', source: 'public', street: '', from: '2026-11-01', to: '' };
    expect(filtersToQuery(f)).toEqual({ state: 'checking', source: 'public', from: '2026-11-01' });
    expect(filtersFromQuery({ ...filtersToQuery(f), evil: 'x', state: ['a'] })).toEqual({ ...f, state: '' });
  });
  it('rejects malformed dates', () => {
    expect(chinaMidnight('2026-1-1')).toBeNull();
    expect(chinaMidnight('2026-11-10')).toBe(Date.parse('2026-11-10T00:00:00+08:00'));
  });
  it('counts open events per cell', () => {
    const counts = openCountByCell([ev(), ev({ state: 'closed' }), ev({ state: 'rejected' }), ev({ state: 'reported' })]);
    expect(counts).toEqual({ '329900001001001': 2 });
  });
});

describe('timeline', () => {
  const steps = [
    { step: 'register', dept_id: 'grid', started_at: '2026-11-10T09:00:00+08:00', ended_at: '2026-11-10T09:20:00+08:00', limit_min: 60, used_min: 20, outcome: 'done', actor_user_id: 'u-chief', actor_name: '赵值班' },
    { step: 'dispatch', dept_id: 'grid', started_at: '2026-11-10T09:20:00+08:00', ended_at: '2026-11-10T09:50:00+08:00', limit_min: 30, used_min: 30, outcome: 'done', actor_user_id: 'u-disp' },
    { step: 'dispose', dept_id: 'cgj', started_at: '2026-11-10T09:50:00+08:00', ended_at: '2026-11-10T15:00:00+08:00', limit_min: 450, used_min: 220, outcome: 'done', actor_user_id: 'u-cgj', actor_name: '钱处置' },
    { step: 'check', dept_id: 'grid', started_at: '2026-11-10T15:00:00+08:00', ended_at: '2026-11-10T16:00:00+08:00', limit_min: 120, used_min: 60, outcome: 'rework', actor_user_id: 'u-jdy' },
    { step: 'dispose', dept_id: 'cgj', started_at: '2026-11-10T16:00:00+08:00', ended_at: null, limit_min: 450, used_min: 0, outcome: '', actor_user_id: '' },
  ];
  it('orders the loop, adds 信息采集 and 反馈, counts rounds and reads the open clock from the event', () => {
    const event = ev({ clock: { step: 'dispose', used_min: 400, limit_min: 450, alert: 'yellow' } });
    const { entries, phases } = buildTimeline(event, [...steps].reverse());
    expect(entries.map((e) => e.key)).toEqual(['report', 'register', 'dispatch', 'dispose', 'feedback', 'check', 'dispose']);
    expect(entries[1]).toMatchObject({ actor: 'u-chief', actorName: '赵值班', usedMin: 20, limitMin: 60, alert: 'none' });
    expect(entries[2]).toMatchObject({ actor: 'u-disp', actorName: '' }); // a name the reader may not see
    expect(entries[2].alert).toBe('yellow'); // 30 of 30: at the limit, not over it
    expect(entries[4]).toMatchObject({ key: 'feedback', actor: 'u-cgj', actorName: '钱处置', at: '2026-11-10T15:00:00+08:00' });
    expect(entries[5].outcome).toBe('rework');
    expect(entries[6]).toMatchObject({ round: 2, current: true, usedMin: 400, alert: 'yellow' });
    expect(phases.find((p) => p.key === 'dispose').status).toBe('current');
    expect(phases.find((p) => p.key === 'register').status).toBe('done');
    expect(phases.find((p) => p.key === 'close').status).toBe('pending');
  });
  it('shows a rejection on 立案', () => {
    const { entries, phases } = buildTimeline(ev({ state: 'rejected' }), [
      { step: 'register', dept_id: 'grid', started_at: '2026-11-10T09:00:00+08:00', ended_at: '2026-11-10T09:10:00+08:00', limit_min: 60, used_min: 10, outcome: 'rejected', actor_user_id: 'u-clerk' },
    ]);
    expect(entries[1].outcome).toBe('rejected');
    expect(phases.find((p) => p.key === 'register').status).toBe('rejected');
  });
  it('computes alerts of finished steps', () => {
    expect(alertOf(10, 60)).toBe('none');
    expect(alertOf(48, 60)).toBe('yellow');
    expect(alertOf(61, 60)).toBe('red');
    expect(alertOf(5, 0)).toBe('none');
  });
});

describe('actions', () => {
  const centre = (roles) => ({ kind: 'official', dept_id: 'grid', roles, username: 'x' });
  it('follows the roles of the loop', () => {
    expect(availableActions(ev({ state: 'reported' }), centre(['clerk']))).toEqual(['accept', 'reject']);
    expect(availableActions(ev({ state: 'reported' }), centre(['approver']))).toEqual(['reject']);
    expect(availableActions(ev({ state: 'accepted' }), centre(['approver']))).toEqual(['register', 'reject']);
    expect(availableActions(ev({ state: 'accepted' }), centre(['clerk']))).toEqual([]);
    expect(availableActions(ev({ state: 'registered' }), centre(['reviewer']))).toEqual(['dispatch']);
    expect(availableActions(ev({ state: 'dispatched' }), { kind: 'official', dept_id: 'cgj', roles: ['clerk'] })).toEqual(['feedback', 'send_back']);
    expect(availableActions(ev({ state: 'dispatched' }), { kind: 'official', dept_id: 'yllh', roles: ['clerk'] })).toEqual([]);
    const jdy = { kind: 'official', dept_id: 'jdy', roles: ['clerk'], username: 'grid.jdy01' };
    expect(availableActions(ev({ state: 'checking' }), jdy, ['grid.jdy01'])).toEqual(['check']);
    expect(availableActions(ev({ state: 'checking' }), jdy, ['grid.jdy02'])).toEqual([]);
    expect(availableActions(ev({ state: 'checked' }), centre(['approver']))).toEqual(['close']);
    expect(availableActions(ev({ state: 'closed' }), centre(['approver']))).toEqual(['evaluate']);
    expect(availableActions(ev({ state: 'closed', evaluation: 4 }), centre(['approver']))).toEqual([]);
    expect(availableActions(ev({ state: 'reported' }), { kind: 'citizen', roles: [] })).toEqual([]);
    expect(availableActions(ev({ state: 'reported' }), { kind: 'official', dept_id: 'cgj', roles: ['clerk'] })).toEqual([]);
  });
  it('builds request bodies and names what is missing', () => {
    const e = ev({ class_code: '0101', revision: 7 });
    expect(actionBody('reject', { reason: '  ' }, e)).toEqual({ error: 'reasonRequired' });
    expect(actionBody('reject', { reason: ' 不属实 ' }, e).body).toEqual({ action: 'reject', expected_revision: 7, reason: '不属实' });
    expect(actionBody('accept', { class_code: '0101' }, e).body).toEqual({ action: 'accept', expected_revision: 7 });
    expect(actionBody('accept', { class_code: '0102' }, e).body.class_code).toBe('0102');
    expect(actionBody('dispatch', { dept_id: '' }, e)).toEqual({ error: 'deptRequired' });
    expect(actionBody('dispatch', { dept_id: 'cgj' }, e).body.dept_id).toBe('cgj');
    expect(actionBody('feedback', { feedback: '' }, e)).toEqual({ error: 'feedbackRequired' });
    expect(actionBody('check', { passed: null }, e)).toEqual({ error: 'passedRequired' });
    expect(actionBody('check', { passed: false, reason: '' }, e)).toEqual({ error: 'reasonRequired' });
    expect(actionBody('check', { passed: true, photos: ['a'.repeat(64)] }, e).body).toEqual({ action: 'check', expected_revision: 7, passed: true, photos: ['a'.repeat(64)] });
    expect(actionBody('evaluate', { level: 0 }, e)).toEqual({ error: 'levelRequired' });
    expect(actionBody('evaluate', { level: 5 }, e).body.level).toBe(5);
  });
  it('finds the cells a supervisor is listed on', () => {
    const fc = [
      { properties: { code: 'a', supervisors: ['grid.jdy01'] } },
      { properties: { code: 'b', supervisors: ['grid.jdy02'] } },
    ];
    expect(supervisedCells(fc, 'grid.jdy01')).toEqual(['a']);
    expect(supervisedCells(fc, '')).toEqual([]);
  });
});

describe('classes and indicators', () => {
  it('groups event classes by major class', () => {
    const tree = classTree([
      { kind: 'event', code: '0102', major_code: '01', major_name: '市容环境', minor_name: '暴露垃圾', dept_id: 'cgj' },
      { kind: 'event', code: '0101', major_code: '01', major_name: '市容环境', minor_name: '私搭乱建', dept_id: 'cgj' },
      { kind: 'component', code: '0101', major_code: '01', major_name: '公用设施', minor_name: '井盖', dept_id: 'szgy' },
      { kind: 'event', code: '0201', major_code: '02', major_name: '宣传广告', minor_name: '违章张贴', dept_id: 'cgj' },
    ]);
    expect(tree.map((m) => m.code)).toEqual(['01', '02']);
    expect(tree[0].children.map((c) => c.code)).toEqual(['0101', '0102']);
  });
  it('formats rates and marks the goal', () => {
    expect(formatRate(0.9751)).toBe('97.5%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(null)).toBe('—');
    expect(goalMark(0.95)).toBe('meets');
    expect(goalMark(0.9499)).toBe('below');
    expect(goalMark(null)).toBe('none');
  });
  it('computes the default period in China time', () => {
    // 2026-11-22 20:00 UTC is already 23 November in China.
    expect(periodEndingToday(90, Date.parse('2026-11-22T20:00:00Z'))).toEqual({ from: '2026-08-26', to: '2026-11-23' });
  });
});
