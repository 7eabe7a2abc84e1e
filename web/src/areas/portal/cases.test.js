import { describe, expect, it } from 'vitest';
import {
  actionKey, canRate, canResubmit, canWithdraw, clockInfo, correctionNotice, formatInstant, hasLedgerActs, instantlyApproved, ratingFromHistory, roleKey, sortCases, splitList,
} from './cases.js';

const clock = (remaining, alert = 'none', extra = {}) => ({ limit_days: 10, natural_days: false, used_days: 10 - remaining, remaining_days: remaining, deadline: '2026-12-01', paused: false, alert, ...extra });

describe('clockInfo', () => {
  it('is null before acceptance and once decided', () => {
    expect(clockInfo({ state: 'submitted', clock: null })).toBeNull();
    expect(clockInfo({ state: 'denied', clock: clock(2, 'yellow') })).toBeNull();
    expect(clockInfo(null)).toBeNull();
  });
  it('says how much time is left with its urgency', () => {
    expect(clockInfo({ state: 'in_review', clock: clock(5) })).toMatchObject({ n: 5, level: 'none', key: 'remaining', paused: false });
    expect(clockInfo({ state: 'in_review', clock: clock(2, 'yellow') })).toMatchObject({ level: 'yellow', key: 'remaining' });
    expect(clockInfo({ state: 'in_review', clock: clock(0, 'yellow') })).toMatchObject({ key: 'dueToday' });
    expect(clockInfo({ state: 'in_review', clock: clock(-3, 'red') })).toMatchObject({ n: 3, level: 'red', key: 'overdue' });
    expect(clockInfo({ state: 'in_review', clock: clock(-1, 'none') }).level).toBe('red');
    expect(clockInfo({ state: 'in_review', clock: clock(4, 'none', { natural_days: true }) }).key).toBe('remainingNatural');
  });
  it('reports the clock paused in correction and special procedures', () => {
    expect(clockInfo({ state: 'correction', clock: clock(4) }).paused).toBe(true);
    expect(clockInfo({ state: 'suspended', clock: clock(4) }).paused).toBe(true);
    expect(clockInfo({ state: 'in_review', clock: clock(4, 'none', { paused: true }) }).paused).toBe(true);
  });
});

describe('sortCases', () => {
  const cases = [
    { id: 'a', state: 'completed', submitted_at: '2026-11-01T09:00:00.000+08:00', clock: clock(3) },
    { id: 'b', state: 'in_review', submitted_at: '2026-11-02T09:00:00.000+08:00', clock: clock(5) },
    { id: 'c', state: 'in_review', submitted_at: '2026-10-01T09:00:00.000+08:00', clock: clock(-2, 'red') },
    { id: 'd', state: 'submitted', submitted_at: '2026-11-03T09:00:00.000+08:00', clock: null },
  ];
  it('sorts by filing time both ways', () => {
    expect(sortCases(cases, 'newest').map((c) => c.id)).toEqual(['d', 'b', 'a', 'c']);
    expect(sortCases(cases, 'oldest').map((c) => c.id)).toEqual(['c', 'a', 'b', 'd']);
  });
  it('puts overdue and nearly due open cases first, closed ones last', () => {
    expect(sortCases(cases, 'urgency').map((c) => c.id)).toEqual(['c', 'b', 'd', 'a']);
  });
  it('orders by lifecycle state and leaves the input alone', () => {
    expect(sortCases(cases, 'state').map((c) => c.id)).toEqual(['d', 'b', 'c', 'a']);
    expect(cases.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('history readings', () => {
  const history = [
    { seq: 1, action: 'submit', opinion: '', at: '2026-11-01T09:00:00.000+08:00' },
    { seq: 2, action: 'request_correction', opinion: '旧的要求', at: '2026-11-02T09:00:00.000+08:00' },
    { seq: 3, action: 'resubmit', opinion: '', at: '2026-11-03T09:00:00.000+08:00' },
    { seq: 4, action: 'request_correction', opinion: '请补正：营业执照副本；法定代表人身份证、租赁合同', at: '2026-11-04T10:00:00.000+08:00' },
  ];
  it('gives the latest one-time correction list while in correction', () => {
    const n = correctionNotice({ state: 'correction' }, history);
    expect(n.items).toEqual(['营业执照副本', '法定代表人身份证', '租赁合同']);
    expect(n.at).toBe('2026-11-04T10:00:00.000+08:00');
    expect(correctionNotice({ state: 'in_review' }, history)).toBeNull();
  });
  it('splits numbered multi-line lists', () => {
    expect(splitList('1. 身份证\n2) 户口簿\n- 照片')).toEqual(['身份证', '户口簿', '照片']);
  });
  it('finds the rating', () => {
    expect(ratingFromHistory(history)).toBeNull();
    expect(ratingFromHistory([...history, { action: 'case.rated', opinion: '很好', at: 'x' }])).toEqual({ comment: '很好', at: 'x' });
  });
  it('names actions and roles', () => {
    expect(actionKey('case.rated')).toBe('rated');
    expect(actionKey('accept')).toBe('accept');
    expect(roleKey('clerk')).toBe('clerk');
    expect(roleKey('mystery')).toBe('other');
  });
});

describe('what the applicant may do', () => {
  it('follows the lifecycle', () => {
    expect(canWithdraw({ state: 'in_review' })).toBe(true);
    expect(canWithdraw({ state: 'granted' })).toBe(false);
    expect(canResubmit({ state: 'correction' })).toBe(true);
    expect(canRate({ state: 'completed' })).toBe(true);
    expect(canRate({ state: 'granted' })).toBe(false);
    expect(instantlyApproved({ state: 'granted', instant_rule: 'rules-v1' })).toBe(true);
    expect(instantlyApproved({ state: 'submitted', instant_rule: '' })).toBe(false);
  });
  it('formats instants as the server wrote them', () => {
    expect(formatInstant('2026-11-23T09:05:00.000+08:00')).toBe('2026-11-23');
    expect(formatInstant('2026-11-23T09:05:00.000+08:00', true)).toBe('2026-11-23 09:05');
    expect(formatInstant(null)).toBe('');
  });
});

// #17: a case awaiting acceptance asked for its ledger receipt and got a 404 every time.
describe('hasLedgerActs', () => {
  it('is true once accepted, refused or decided', () => {
    expect(hasLedgerActs({ state: 'in_review', accepted_at: '2026-12-01T09:00:00+08:00' })).toBe(true);
    expect(hasLedgerActs({ state: 'not_accepted', accepted_at: null })).toBe(true);
    expect(hasLedgerActs({ state: 'granted', accepted_at: null })).toBe(true);  // 秒批
  });
  it('is false before acceptance and for a case withdrawn before it', () => {
    expect(hasLedgerActs({ state: 'submitted', accepted_at: null })).toBe(false);
    expect(hasLedgerActs({ state: 'correction', accepted_at: null })).toBe(false);
    expect(hasLedgerActs({ state: 'withdrawn', accepted_at: null })).toBe(false);
    expect(hasLedgerActs(null)).toBe(false);
  });
});
