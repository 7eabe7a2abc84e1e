import { describe, expect, it, vi } from 'vitest';
import locales from '../../locales/appeals.js';
import {
  LABELS, STATES, TYPES, appealPayload, charCount, checkAppeal, classifyText, clockWords, debounce, detailOf, eventKey, formatInstant,
  isCentreUser, isHandlingOfficial, isHotlineStaff, labelKey, listOf, newIdempotencyKey, redirectOf, replayedOf, scorePercent, sortByUrgency, canRate,
} from './appeals.js';

const appeal = (id, alert, remaining, created = '2026-11-01T00:00:00Z', state = 'handling') => ({
  id, state, created_at: created, clock: { alert, remaining_days: remaining, deadline: '2026-11-20', stopped: false },
});

describe('sortByUrgency', () => {
  it('puts red first, then yellow, then the fewest days left, ties oldest first', () => {
    const list = [
      appeal('a', 'none', 9),
      appeal('b', 'yellow', 2),
      appeal('c', 'red', -3),
      appeal('d', 'none', 4),
      appeal('e', 'red', -1),
      appeal('f', 'none', 4, '2026-10-01T00:00:00Z'),
    ];
    expect(sortByUrgency(list).map((a) => a.id)).toEqual(['c', 'e', 'b', 'f', 'd', 'a']);
  });
  it('does not change its input and takes appeals without a clock last', () => {
    const list = [{ id: 'x' }, appeal('y', 'none', 1)];
    expect(sortByUrgency(list).map((a) => a.id)).toEqual(['y', 'x']);
    expect(list[0].id).toBe('x');
  });
});

describe('clockWords', () => {
  it('says how many working days are left, due today, or overdue', () => {
    expect(clockWords(appeal('a', 'none', 5))).toMatchObject({ key: 'left', n: 5, level: 'none' });
    expect(clockWords(appeal('a', 'yellow', 1))).toMatchObject({ key: 'left', n: 1, level: 'yellow' });
    expect(clockWords(appeal('a', 'none', 0))).toMatchObject({ key: 'dueToday', level: 'yellow' });
    expect(clockWords(appeal('a', 'red', -2))).toMatchObject({ key: 'overdue', n: 2, level: 'red' });
  });
  it('reads a stopped clock as replied on time or late, and a closed appeal as done', () => {
    const on = appeal('a', 'none', 3, undefined, 'replied');
    on.clock.stopped = true;
    expect(clockWords(on)).toMatchObject({ key: 'repliedOnTime', level: 'none' });
    const late = appeal('a', 'red', -4, undefined, 'replied');
    late.clock.stopped = true;
    expect(clockWords(late)).toMatchObject({ key: 'repliedLate', n: 4, level: 'red' });
    expect(clockWords(appeal('a', 'none', 3, undefined, 'rated'))).toMatchObject({ key: 'done' });
    expect(clockWords({ id: 'x' })).toBeNull();
  });
});

describe('the form', () => {
  const good = { type: 'complaint', title: '路灯不亮', text: '秦淮大道东门路灯连续一周不亮，夜间行人很危险。', location: '', photos: [] };
  it('accepts a complete appeal and names each missing or bad field', () => {
    expect(checkAppeal(good)).toEqual({});
    expect(checkAppeal({ ...good, type: 'x', title: ' ', text: '太短' })).toEqual({ type: 'type', title: 'required', text: 'tooShort' });
    expect(checkAppeal({ ...good, title: '长'.repeat(201) }).title).toBe('tooLong');
    expect(checkAppeal({ ...good, text: '长'.repeat(5001) }).text).toBe('tooLong');
    expect(checkAppeal({ ...good, photos: new Array(10).fill({ sha256: 'x' }) }).photos).toBe('tooMany');
  });
  it('requires the caller’s phone number on a phone call', () => {
    expect(checkAppeal(good, { phone: true }).callerPhone).toBe('required');
    expect(checkAppeal({ ...good, callerPhone: 'abc' }, { phone: true }).callerPhone).toBe('phone');
    expect(checkAppeal({ ...good, callerPhone: '139 0525 0000' }, { phone: true })).toEqual({});
  });
  it('counts characters as code points', () => {
    expect(charCount('路灯😀')).toBe(3);
    expect(charCount(undefined)).toBe(0);
  });
  it('builds the request body: flags only when set, photos as hashes, the caller on the phone channel', () => {
    const body = appealPayload({ ...good, title: ' 路灯不亮 ', location: ' 东门 ', photos: [{ sha256: 'ab', name: 'x.jpg' }], confidential: true }, 'mobile');
    expect(body).toEqual({ channel: 'mobile', type: 'complaint', title: '路灯不亮', text: good.text, location: '东门', photos: ['ab'], confidential: true });
    expect(appealPayload({ ...good, public_consent: true, lon: 118.8, lat: 32.0 }, 'web')).toMatchObject({ public_consent: true, lon: 118.8, lat: 32.0 });
    expect(appealPayload({ ...good, callerPhone: ' 13905250000 ', callerName: '' }, 'phone').caller).toEqual({ phone: '13905250000' });
  });
  it('makes a fresh idempotency key each time', () => {
    const a = newIdempotencyKey();
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(a.length).toBeLessThanOrEqual(100);
    expect(newIdempotencyKey()).not.toBe(a);
  });
  it('joins title and text for the classifier', () => {
    expect(classifyText({ title: ' 标题 ', text: '' })).toBe('标题');
    expect(classifyText({ title: '甲', text: '乙' })).toBe('甲\n乙');
  });
});

describe('server answers', () => {
  it('reads the redirect of a matter the hotline does not take', () => {
    const p = { message_zh: '请向人民法院起诉', message_en: 'go to court', redirect: { rule: 'litigation', channel_zh: '人民法院', channel_en: "People's Court" } };
    expect(redirectOf(p, 'zh')).toEqual({ rule: 'litigation', channel: '人民法院', message: '请向人民法院起诉' });
    expect(redirectOf(p, 'en').channel).toBe("People's Court");
    expect(redirectOf({ message_zh: 'x' }, 'zh')).toBeNull();
  });
  it('takes the list and detail in either shape', () => {
    expect(listOf({ items: [1] })).toEqual([1]);
    expect(listOf({ appeals: [2] })).toEqual([2]);
    expect(listOf(null)).toEqual([]);
    const flat = detailOf({ id: 'A', history: [{ seq: 1, from: 'accepted', to: 'dispatched' }] });
    expect(flat.appeal.id).toBe('A');
    expect(flat.history[0]).toMatchObject({ from: 'accepted', to: 'dispatched' });
    const nested = detailOf({ appeal: { id: 'B' }, history: [{ seq: 1, from_state: 'a', to_state: 'b' }] });
    expect(nested.appeal.id).toBe('B');
    expect(nested.history[0]).toMatchObject({ from: 'a', to: 'b' });
  });
  it('names steps, scores and classes', () => {
    expect(eventKey('appeal.dispatched')).toBe('dispatched');
    expect(eventKey('')).toBe('unknown');
    expect(scorePercent(72.5)).toBe(73);
    expect(scorePercent(null)).toBeNull();
    expect(labelKey('城乡建设')).toBe('urban');
    expect(labelKey('新类别')).toBe('');
  });
  it('lets the citizen rate only a closed or called-back appeal not yet rated', () => {
    expect(canRate({ state: 'closed', rating: null })).toBe(true);
    expect(canRate({ state: 'called_back' })).toBe(true);
    expect(canRate({ state: 'rated', rating: 5 })).toBe(false);
    expect(canRate({ state: 'replied', rating: null })).toBe(false);
  });
});

describe('who sees which pages', () => {
  const hotline = { kind: 'official', dept_id: '12345', roles: ['clerk'] };
  const dept = { kind: 'official', dept_id: 'zjj', roles: ['reviewer'] };
  const supervisor = { kind: 'official', dept_id: 'zwfw', roles: ['supervisor'] };
  it('tells hotline staff, handling departments and supervisors apart', () => {
    expect([isHotlineStaff(hotline), isHandlingOfficial(hotline), isCentreUser(hotline)]).toEqual([true, false, true]);
    expect([isHotlineStaff(dept), isHandlingOfficial(dept), isCentreUser(dept)]).toEqual([false, true, false]);
    expect([isHotlineStaff(supervisor), isHandlingOfficial(supervisor), isCentreUser(supervisor)]).toEqual([false, false, true]);
    expect(isCentreUser({ kind: 'citizen', roles: [] })).toBe(false);
    expect(isHotlineStaff(null)).toBe(false);
  });
});

describe('debounce', () => {
  it('calls once after the last call and can be cancelled', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 100);
    d(1);
    d(2);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledWith(2);
    d(3);
    d.cancel();
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });
});

describe('strings', () => {
  const keys = (o, p = '') => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]));
  it('has the same keys in Chinese and English', () => {
    expect(keys(locales.en).sort()).toEqual(keys(locales.zh).sort());
  });
  it('names every type, state and class', () => {
    for (const lang of ['zh', 'en']) {
      const a = locales[lang].appeals;
      for (const ty of TYPES) expect(a.types[ty] && a.typeHelp[ty]).toBeTruthy();
      for (const s of STATES) expect(a.states[s]).toBeTruthy();
      for (const l of LABELS) expect(a.labels[labelKey(l)]).toBeTruthy();
    }
  });
});

describe('replayed submissions', () => {
  it('finds the appeal filed the first time', () => {
    expect(replayedOf(409, { code: 'replayed', appeal_id: 'AP2026112300000001' })).toBe('AP2026112300000001');
    expect(replayedOf(409, { code: 'replayed', message_en: 'replayed submission: already filed as AP2026112312345678' })).toBe('AP2026112312345678');
    expect(replayedOf(409, { code: 'replayed' })).toBe('');
    expect(replayedOf(409, { code: 'conflict' })).toBeNull();
    expect(replayedOf(400, { code: 'replayed' })).toBeNull();
  });
});

// #17: appeals showed times in the browser's zone; every time is Beijing time.
describe('formatInstant', () => {
  it('shows Beijing time whatever the instant\'s offset', () => {
    expect(formatInstant('2026-12-07T01:30:00Z')).toBe('2026-12-07 09:30');
    expect(formatInstant('2026-12-07T23:45:00+08:00')).toBe('2026-12-07 23:45');
    expect(formatInstant('2026-12-07T20:00:00-05:00')).toBe('2026-12-08 09:00');
  });
  it('leaves nothing and nonsense alone', () => {
    expect(formatInstant('')).toBe('');
    expect(formatInstant('soon')).toBe('soon');
  });
});
