import { describe, it, expect } from 'vitest';
import {
  KINDS, MAX_TEXT, STATES, SURFACES, charCount, checkDecision, decisionBody, domId, fieldOf, kindLabel,
  longNumbers, reviewsQuery, subjectLink, surfaceLabel, withoutReview,
} from './disclosure.js';
import { REVIEW_ROLES, navLinks, routes } from './routes.js';
import { guard } from '../../router.js';
import strings from '../../locales/disclosure.js';

// A t() over the strings file, as vue-i18n would answer in `lang`.
const tOf = (lang) => (key) => key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), strings[lang]) ?? key;

describe('labels', () => {
  it('names every surface and kind of the API in both languages', () => {
    for (const lang of ['zh', 'en']) {
      const t = tOf(lang);
      for (const s of SURFACES) expect(surfaceLabel(s, t), `${lang} ${s}`).not.toMatch(/^disclosure\./);
      for (const k of KINDS) expect(kindLabel(k, t), `${lang} ${k}`).not.toMatch(/^disclosure\./);
    }
  });
  it('maps the API values to the agreed labels', () => {
    const zh = tOf('zh');
    const en = tOf('en');
    expect(surfaceLabel('appeal.title', zh)).toBe('诉求标题');
    expect(surfaceLabel('grid_event.description', zh)).toBe('事件描述（12345/Open311）');
    expect(surfaceLabel('consultation_comment.reason', en)).toBe('Decision reason');
    expect(kindLabel('unclassified_number', zh)).toBe('无法识别的数字');
    expect(kindLabel('spelled_number', zh)).toBe('中文数字串');
    expect(kindLabel('bank_card', zh)).toBe('卡号');
  });
  it('shows a value it does not know (a newer server) as it is', () => {
    expect(surfaceLabel('survey.answer', tOf('zh'))).toBe('survey.answer');
    expect(kindLabel('passport', tOf('zh'))).toBe('passport');
    expect(kindLabel(undefined, tOf('zh'))).toBe('');
  });
});

describe('reviewsQuery', () => {
  it('asks for one state, a page of 50 by default', () => {
    expect(reviewsQuery('pending')).toEqual({ state: 'pending', limit: 50, offset: 0 });
    expect(reviewsQuery('withheld', 50)).toEqual({ state: 'withheld', limit: 50, offset: 50 });
    expect(reviewsQuery('published', 0, 1)).toEqual({ state: 'published', limit: 1, offset: 0 });
  });
  it('falls back to pending and a sane offset', () => {
    expect(reviewsQuery('all', -3)).toEqual({ state: 'pending', limit: 50, offset: 0 });
    expect(STATES).toEqual(['pending', 'published', 'withheld']);
  });
});

describe('checkDecision', () => {
  it('publishes a text of 1..MAX_TEXT (5000) characters, counted in code points', () => {
    expect(checkDecision('publish', { text: '路灯坏了' })).toBeNull();
    expect(checkDecision('publish', { text: '  \n ' })).toEqual({ field: 'text', key: 'textEmpty' });
    expect(checkDecision('publish', { text: '字'.repeat(MAX_TEXT) })).toBeNull();
    expect(checkDecision('publish', { text: '字'.repeat(MAX_TEXT + 1) })).toEqual({ field: 'text', key: 'textLong' });
    expect(checkDecision('publish', { text: '😀'.repeat(MAX_TEXT) })).toBeNull();
    expect(charCount('😀a')).toBe(2);
  });
  it('withholds only with a reason, whatever the text', () => {
    expect(checkDecision('withhold', { text: '', reason: '' })).toEqual({ field: 'reason', key: 'reasonRequired' });
    expect(checkDecision('withhold', { text: 'x', reason: '   ' })).toEqual({ field: 'reason', key: 'reasonRequired' });
    expect(checkDecision('withhold', { text: '', reason: '涉及他人隐私' })).toBeNull();
  });
});

describe('decisionBody', () => {
  const review = { id: 'dr-1', revision: 3 };
  it('publishes the trimmed text on the revision read, with a reason only when given', () => {
    expect(decisionBody('publish', review, { text: ' 已修改的文本 \n', reason: '' }))
      .toEqual({ decision: 'publish', text: '已修改的文本', revision: 3 });
    expect(decisionBody('publish', review, { text: 'a', reason: ' 删去单号 ' }))
      .toEqual({ decision: 'publish', text: 'a', reason: '删去单号', revision: 3 });
  });
  it('withholds with the reason and no text', () => {
    expect(decisionBody('withhold', { id: 'dr-2', revision: 0 }, { text: 'draft', reason: '无法删改' }))
      .toEqual({ decision: 'withhold', reason: '无法删改', revision: 0 });
  });
});

describe('fieldOf, subjectLink, domId, withoutReview', () => {
  it('places a problem on the text or the reason box, else on the form', () => {
    expect(fieldOf('/text')).toBe('text');
    expect(fieldOf('/reason')).toBe('reason');
    expect(fieldOf('/revision')).toBe('');
    expect(fieldOf('')).toBe('');
  });
  it("links an appeal's and a grid event's texts to their pages", () => {
    expect(subjectLink({ surface: 'appeal.reply', subject_id: 'AP20261207001' })).toBe('/appeals/work/AP20261207001');
    expect(subjectLink({ surface: 'grid_event.description', subject_id: 'GE-1' })).toBe('/grid/events/GE-1');
    expect(subjectLink({ surface: 'open311.address', subject_id: 'GE 2' })).toBe('/grid/events/GE%202');
    expect(subjectLink({ surface: 'consultation_comment.text', subject_id: 'c-1' })).toBe('');
    expect(subjectLink({ surface: 'appeal.title', subject_id: '' })).toBe('');
  });
  it('makes element ids of review ids', () => {
    expect(domId('dr-text', { id: 'dr-abc_1' })).toBe('dr-text-dr-abc_1');
    expect(domId('dr-h', { id: 'dr:1/2' })).toBe('dr-h-dr_1_2');
  });
  it('drops a decided review from the list', () => {
    expect(withoutReview([{ id: 'a' }, { id: 'b' }], 'a')).toEqual([{ id: 'b' }]);
    expect(withoutReview(null, 'a')).toEqual([]);
  });
});

describe('longNumbers', () => {
  it('points at the digit runs redact could not classify', () => {
    expect(longNumbers('单号 7731 9920 0417 55 请查')).toEqual(['7731 9920 0417 55']);
    expect(longNumbers('请打1234567，再打1234567')).toEqual(['1234567']);
    expect(longNumbers('编号１２３４５６７８')).toEqual(['１２３４５６７８']);
    expect(longNumbers('电话一三八一二三四五六七八')).toEqual(['一三八一二三四五六七八']);
  });
  it('leaves short numbers, dates, amounts and placeholders alone', () => {
    expect(longNumbers('路灯坏了 3 天，2025-03-01 报修，赔偿 3000 元，电话[电话]')).toEqual([]);
    expect(longNumbers('')).toEqual([]);
  });
});

describe('routes and navigation', () => {
  const clerk = { kind: 'official', roles: ['clerk'], dept_id: 'scjg' };
  const route = routes.find((r) => r.path === '/workbench/disclosure');
  const ctx = (user) => ({
    signedIn: Boolean(user), isOfficial: user?.kind === 'official', user, t: (k) => k,
    hasRole: (...r) => r.some((x) => (user?.roles || []).includes(x)),
  });

  it('opens the page to officials with a working role only', () => {
    expect(route.meta).toMatchObject({ area: 'workbench', auth: true, kinds: ['official'], roles: REVIEW_ROLES });
    expect(guard(route, clerk)).toBe(true);
    expect(guard(route, { kind: 'official', roles: ['approver'] })).toBe(true);
    expect(guard(route, { kind: 'official', roles: ['supervisor'] })).toMatchObject({ query: { denied: '1' } });
    expect(guard(route, { kind: 'citizen', roles: [] })).toMatchObject({ query: { denied: '1' } });
    expect(guard(route, null)).toMatchObject({ name: 'login' });
  });
  it('puts 公开审核 beside the work queue for those officials', () => {
    expect(navLinks(ctx(clerk))).toEqual([{ to: '/workbench/disclosure', label: 'disclosure.nav', order: 15 }]);
    expect(navLinks(ctx({ kind: 'official', roles: ['supervisor'] }))).toEqual([]);
    expect(navLinks(ctx({ kind: 'citizen', roles: [] }))).toEqual([]);
    expect(navLinks(ctx(null))).toEqual([]);
  });
});
