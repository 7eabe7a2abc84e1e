import { describe, expect, it } from 'vitest';
import {
  buildAnswers, byClause, chinaTime, chineseNumber, clauseProblems, defaultDeadline, fromLocalInput, mayManage,
  mayTakePart, missingRequired, questionOfField, resultRows, splitClauses, timeLeft,
} from './participation.js';

const questions = [
  { id: 'q1', kind: 'single', text: '年龄段', options: ['60岁以下', '60岁及以上'], required: true },
  { id: 'q2', kind: 'multiple', text: '服务', options: ['助餐', '助浴', '日间照料'], required: false },
  { id: 'q3', kind: 'scale', text: '满意度', options: [], min: 1, max: 5, required: true },
  { id: 'q4', kind: 'text', text: '建议', options: [], required: false },
];

describe('times', () => {
  it('shows instants in China time whatever the zone they are written in', () => {
    expect(chinaTime('2026-03-16T10:00:00.000Z')).toBe('2026-03-16 18:00');
    expect(chinaTime('2026-03-16T18:00:00.000+08:00')).toBe('2026-03-16 18:00');
    expect(chinaTime('')).toBe('');
    expect(chinaTime('soon')).toBe('soon');
  });
  it('reads datetime-local values as China time', () => {
    expect(fromLocalInput('2026-03-16T18:00')).toBe('2026-03-16T18:00:00+08:00');
    expect(fromLocalInput('2026-03-16T18:00:30')).toBe('2026-03-16T18:00:30+08:00');
    expect(fromLocalInput('2026-03-16')).toBe('');
    expect(fromLocalInput('')).toBe('');
  });
  it('proposes a deadline at 18:00 China time', () => {
    const now = Date.parse('2026-03-01T23:30:00+08:00');
    expect(defaultDeadline(now, 14)).toBe('2026-03-15T18:00');
  });
  it('counts the time left down to closed', () => {
    const now = Date.parse('2026-03-01T08:00:00+08:00');
    expect(timeLeft('2026-03-03T18:00:00+08:00', now)).toEqual({ closed: false, days: 2, hours: 10 });
    expect(timeLeft('2026-03-01T08:00:00+08:00', now)).toEqual({ closed: true });
    expect(timeLeft('nonsense', now)).toEqual({ closed: true });
  });
});

describe('clauses', () => {
  it('writes Chinese clause numbers', () => {
    expect([1, 10, 11, 20, 23, 100, 101, 110, 200].map(chineseNumber)).toEqual(
      ['一', '十', '十一', '二十', '二十三', '一百', '一百零一', '一百一十', '二百']);
  });
  it('splits a pasted draft at its 第…条 headings', () => {
    const text = '城市停车管理办法\n第一条　为规范停车，制定本办法。\n\n第二条 居住区夜间停车免费。\n具体时段另行公布。\n第十二条：本办法自公布之日起施行。';
    expect(splitClauses(text)).toEqual([
      { number: '第一条', text: '为规范停车，制定本办法。' },
      { number: '第二条', text: '居住区夜间停车免费。\n具体时段另行公布。' },
      { number: '第十二条', text: '本办法自公布之日起施行。' },
    ]);
  });
  it('numbers paragraphs when the draft has no headings', () => {
    expect(splitClauses('甲\n\n乙\n')).toEqual([{ number: '第一条', text: '甲' }, { number: '第二条', text: '乙' }]);
    expect(splitClauses('')).toEqual([]);
  });
  it('finds clauses the server would refuse', () => {
    expect(clauseProblems([{ number: '第一条', text: 'a' }, { number: '第一条', text: 'b' }, { number: '第三条', text: ' ' }, { number: '', text: 'c' }]))
      .toEqual([{ index: 1, problem: 'number' }, { index: 2, problem: 'text' }, { index: 3, problem: 'number' }]);
  });
  it('groups comments by clause', () => {
    const g = byClause([{ id: 1, clause: '第一条' }, { id: 2, clause: '' }, { id: 3, clause: '第一条' }]);
    expect(g['第一条'].map((c) => c.id)).toEqual([1, 3]);
    expect(g[''].map((c) => c.id)).toEqual([2]);
  });
});

describe('answers', () => {
  it('leaves out what was not answered and keeps option order', () => {
    const answers = buildAnswers(questions, { q1: '60岁以下', q2: ['日间照料', '助餐'], q3: '4', q4: '  ' });
    expect(answers).toEqual({ q1: '60岁以下', q2: ['助餐', '日间照料'], q3: 4 });
    expect(buildAnswers(questions, { q2: [], q3: '', q4: ' 多开几天 ' })).toEqual({ q4: '多开几天' });
  });
  it('names the required questions left out', () => {
    expect(missingRequired(questions, { q3: 2 })).toEqual(['q1']);
    expect(missingRequired(questions, {})).toEqual(['q1', 'q3']);
    expect(missingRequired(questions, { q1: 'x', q3: 0 })).toEqual([]);
  });
  it('maps a problem field to its question', () => {
    expect(questionOfField('/answers/q2/1')).toBe('q2');
    expect(questionOfField('/answers/a~1b')).toBe('a/b');
    expect(questionOfField('/title')).toBe('');
    expect(questionOfField(undefined)).toBe('');
  });
});

describe('results', () => {
  it('gives bars in option order with shares of those who answered', () => {
    const q = { kind: 'multiple', answered: 4, options: ['助餐', '助浴'], counts: { 助浴: 1, 助餐: 3 } };
    expect(resultRows(q)).toEqual([{ label: '助餐', count: 3, percent: 75 }, { label: '助浴', count: 1, percent: 25 }]);
  });
  it('orders scale points numerically', () => {
    const q = { kind: 'scale', answered: 3, histogram: { 10: 1, 2: 2, 1: 0 } };
    expect(resultRows(q).map((r) => r.label)).toEqual(['1', '2', '10']);
    expect(resultRows(q)[1].percent).toBe(67);
  });
  it('shows zero shares when nobody answered', () => {
    expect(resultRows({ kind: 'single', answered: 0, options: ['a', 'b'], counts: {} })).toEqual([
      { label: 'a', count: 0, percent: 0 }, { label: 'b', count: 0, percent: 0 }]);
    expect(resultRows({ kind: 'text', answered: 2, samples: ['x'] })).toEqual([]);
  });
});

describe('who', () => {
  it('lets department staff manage and the public take part', () => {
    expect(mayManage({ kind: 'official', roles: ['clerk'] })).toBe(true);
    expect(mayManage({ kind: 'official', roles: ['supervisor'] })).toBe(false);
    expect(mayManage({ kind: 'citizen', roles: [] })).toBe(false);
    expect(mayManage(null)).toBe(false);
    expect(mayTakePart({ kind: 'business' })).toBe(true);
    expect(mayTakePart({ kind: 'official', roles: ['admin'] })).toBe(false);
    expect(mayTakePart(null)).toBe(false);
  });
});

describe('strings', () => {
  it('has every Chinese key in English too, and no more', async () => {
    const { default: strings } = await import('../../locales/participation.js');
    const keys = (o, p = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]));
    expect(keys(strings.en).sort()).toEqual(keys(strings.zh).sort());
  });
  it('has the keys the pages use', async () => {
    const { default: strings } = await import('../../locales/participation.js');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'views');
    const has = (key) => key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), strings.zh) !== undefined;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.vue'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/t\('(participation\.[a-zA-Z.]+)'/g)) {
        expect(has(m[1]), `${file}: ${m[1]}`).toBe(true);
      }
    }
  });
});
