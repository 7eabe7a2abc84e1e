import { describe, it, expect } from 'vitest';
import {
  sortByUrgency, matchesSearch, allowedActions, buildCorrectionOpinion, buildActionBody, jointStatus,
  shortTime, percent,
} from './cases.js';

const clk = (alert, remaining) => ({ alert, remaining_days: remaining, limit_days: 20 });

describe('sortByUrgency', () => {
  it('puts red first, then yellow, then fewest remaining days, unstarted clocks last', () => {
    const cases = [
      { id: 'a', clock: clk('none', 9), submitted_at: '2026-01-01' },
      { id: 'b', clock: null, submitted_at: '2026-01-02' },
      { id: 'c', clock: clk('yellow', 2), submitted_at: '2026-01-03' },
      { id: 'd', clock: clk('red', -1), submitted_at: '2026-01-04' },
      { id: 'e', clock: clk('none', 3), submitted_at: '2026-01-05' },
      { id: 'f', clock: clk('red', -5), submitted_at: '2026-01-06' },
      { id: 'g', clock: null, submitted_at: '2026-01-01' },
    ];
    expect(sortByUrgency(cases).map((c) => c.id)).toEqual(['f', 'd', 'c', 'e', 'a', 'g', 'b']);
  });
  it('does not change its input', () => {
    const cases = [{ id: 'x', clock: clk('none', 5) }, { id: 'y', clock: clk('red', 0) }];
    sortByUrgency(cases);
    expect(cases[0].id).toBe('x');
  });
});

describe('matchesSearch', () => {
  const c = { id: 'YW2026', item_name: '养犬登记', item_code: '113299', applicant: { name: '张三' } };
  it('matches number, item and applicant, ignoring case and blanks', () => {
    expect(matchesSearch(c, ' yw20 ')).toBe(true);
    expect(matchesSearch(c, '养犬')).toBe(true);
    expect(matchesSearch(c, '张三')).toBe(true);
    expect(matchesSearch(c, '')).toBe(true);
    expect(matchesSearch(c, '李四')).toBe(false);
  });
});

const steps = (active, opts = {}) => [
  { index: 0, kind: 'review', role: 'reviewer', dept_ids: opts.joint ? ['gaj', 'wjw'] : ['gaj'],
    status: active === 0 ? 'active' : 'done', approvals: opts.approvals || [] },
  { index: 1, kind: 'decide', role: 'approver', dept_ids: ['gaj'], status: active === 1 ? 'active' : 'pending', approvals: [] },
];
const user = (roles, dept = 'gaj') => ({ kind: 'official', roles, dept_id: dept });

describe('allowedActions', () => {
  it('lets the item department clerk accept, reject or ask for corrections', () => {
    const c = { state: 'submitted', dept_id: 'gaj', steps: steps(-1), current_step: -1 };
    expect(allowedActions(c, user(['clerk']))).toEqual(['accept', 'reject', 'request_correction']);
    expect(allowedActions(c, user(['clerk'], 'wjw'))).toEqual([]);
    expect(allowedActions(c, user(['reviewer']))).toEqual([]);
  });
  it('gives the review step to its department and role', () => {
    const c = { state: 'in_review', dept_id: 'gaj', steps: steps(0), current_step: 0 };
    expect(allowedActions(c, user(['reviewer']))).toEqual(['approve', 'disapprove', 'request_correction', 'suspend']);
    expect(allowedActions(c, user(['approver']))).toEqual([]);
    expect(allowedActions(c, user(['clerk']))).toEqual([]);
  });
  it('does not offer approve again to a department that answered a joint step', () => {
    const c = { state: 'in_review', dept_id: 'gaj', current_step: 0,
      steps: steps(0, { joint: true, approvals: [{ dept_id: 'gaj', verdict: 'approved' }] }) };
    expect(allowedActions(c, user(['reviewer']))).toEqual(['request_correction', 'suspend']);
    expect(allowedActions(c, user(['reviewer'], 'wjw'))).toEqual(['approve', 'disapprove', 'request_correction', 'suspend']);
  });
  it('gives grant and deny to the approver at the decide step', () => {
    const c = { state: 'in_review', dept_id: 'gaj', steps: steps(1), current_step: 1 };
    expect(allowedActions(c, user(['approver']))).toEqual(['grant', 'deny', 'request_correction', 'suspend']);
  });
  it('resumes a suspended case and completes a decided one', () => {
    expect(allowedActions({ state: 'suspended', dept_id: 'gaj', steps: steps(0), current_step: 0 }, user(['reviewer'])))
      .toEqual(['resume']);
    expect(allowedActions({ state: 'granted', dept_id: 'gaj', steps: [], current_step: -1 }, user(['clerk'])))
      .toEqual(['complete']);
    expect(allowedActions({ state: 'denied', dept_id: 'gaj', steps: [], current_step: -1 }, user(['approver'])))
      .toEqual([]);
  });
  it('offers nothing to supervisors, applicants, or on closed cases', () => {
    const c = { state: 'in_review', dept_id: 'gaj', steps: steps(0), current_step: 0 };
    expect(allowedActions(c, user(['supervisor'], 'zwfw'))).toEqual([]);
    expect(allowedActions(c, { kind: 'citizen', roles: [] })).toEqual([]);
    expect(allowedActions({ ...c, state: 'completed', current_step: -1 }, user(['clerk', 'reviewer']))).toEqual([]);
  });
});

describe('correction list', () => {
  it('numbers the checked materials once and appends the free text', () => {
    const text = buildCorrectionOpinion(['身份证', '户口簿', '身份证', ' '], ' 照片不清晰 ', { heading: 'Missing:', other: 'Also: ' });
    expect(text).toBe('Missing:\n1. 身份证\n2. 户口簿\nAlso: 照片不清晰');
  });
  it('is the free text alone when nothing is checked, empty when nothing given', () => {
    expect(buildCorrectionOpinion([], '请补充签名')).toBe('请补充签名');
    expect(buildCorrectionOpinion([], '  ')).toBe('');
  });
  it('refuses an empty correction request', () => {
    expect(buildActionBody('request_correction', { missing: [], opinion: '' })).toEqual({ error: 'correction' });
    expect(buildActionBody('request_correction', { missing: ['结婚证'], opinion: '' }, { heading: 'H' }).body)
      .toEqual({ action: 'request_correction', opinion: 'H\n1. 结婚证' });
  });
});

describe('buildActionBody', () => {
  it('requires an opinion where the law needs one', () => {
    expect(buildActionBody('reject', { opinion: ' ' })).toEqual({ error: 'opinion' });
    expect(buildActionBody('deny', {})).toEqual({ error: 'opinion' });
    expect(buildActionBody('grant', {}).body).toEqual({ action: 'grant' });
    expect(buildActionBody('accept', { opinion: ' ok ', revision: 3 }).body)
      .toEqual({ action: 'accept', opinion: 'ok', expected_revision: 3 });
  });
  it('needs a known procedure to suspend', () => {
    expect(buildActionBody('suspend', { opinion: '听证' })).toEqual({ error: 'procedure' });
    expect(buildActionBody('suspend', { opinion: '听证', procedure: 'hearing' }).body)
      .toEqual({ action: 'suspend', opinion: '听证', procedure: 'hearing' });
  });
});

describe('jointStatus', () => {
  it('says per department who approved and who is still awaited', () => {
    const step = { status: 'active', dept_ids: ['scjg', 'wjw', 'gaj'],
      approvals: [{ dept_id: 'scjg', verdict: 'approved' }, { dept_id: 'gaj', verdict: 'disapproved' }] };
    expect(jointStatus(step).map((r) => r.status)).toEqual(['approved', 'waiting', 'disapproved']);
    expect(jointStatus({ status: 'pending', dept_ids: ['a'], approvals: [] })[0].status).toBe('pending');
  });
});

describe('formatting', () => {
  it('shortens times and computes shares', () => {
    expect(shortTime('2026-11-23T12:32:32.402+08:00')).toBe('2026-11-23 12:32');
    expect(percent(1, 3)).toBe('33.3%');
    expect(percent(0, 0)).toBe('—');
  });
});

import { mayCloseRectification, remainingText } from './cases.js';

describe('mayCloseRectification', () => {
  const r = { status: 'open', dept_id: 'scjg' };
  it('allows admins anywhere and approvers or supervisors of the department', () => {
    expect(mayCloseRectification(r, user(['admin'], 'zwfw'))).toBe(true);
    expect(mayCloseRectification(r, user(['supervisor'], 'scjg'))).toBe(true);
    expect(mayCloseRectification(r, user(['approver'], 'scjg'))).toBe(true);
    expect(mayCloseRectification(r, user(['supervisor'], 'zwfw'))).toBe(false);
    expect(mayCloseRectification(r, user(['clerk'], 'scjg'))).toBe(false);
    expect(mayCloseRectification({ ...r, status: 'closed' }, user(['admin']))).toBe(false);
  });
});

describe('remainingText', () => {
  it('states overdue, due today and days left in words', () => {
    expect(remainingText(null)).toEqual({ key: 'notStarted', n: 0, level: 'none' });
    expect(remainingText({ alert: 'red', remaining_days: -3 })).toEqual({ key: 'overdue', n: 3, level: 'red' });
    expect(remainingText({ alert: 'yellow', remaining_days: 0 })).toEqual({ key: 'dueToday', n: 0, level: 'yellow' });
    expect(remainingText({ alert: 'none', remaining_days: 7, natural_days: true })).toEqual({ key: 'remainingNatural', n: 7, level: 'none' });
  });
});
