import { describe, expect, it } from 'vitest';
import {
  PAGE_SIZE, auditQuery, beijingDate, beijingTime, brief, changes, defaultRange, exportFilename, hasMore, rangeProblem,
  shortHash, summary,
} from './audit.js';

describe('Beijing times', () => {
  it('shows UTC and +08:00 instants as Beijing wall time', () => {
    expect(beijingTime('2026-12-06T18:30:05Z')).toBe('2026-12-07 02:30:05');
    expect(beijingTime('2026-12-07T02:30:05.123+08:00')).toBe('2026-12-07 02:30:05');
    expect(beijingTime('')).toBe('');
    expect(beijingTime('not a time')).toBe('not a time');
  });
  it('gives the Beijing date of an instant', () => {
    expect(beijingDate(Date.parse('2026-12-06T15:59:59Z'))).toBe('2026-12-06');
    expect(beijingDate(Date.parse('2026-12-06T16:00:00Z'))).toBe('2026-12-07');
  });
});

describe('the export range', () => {
  const now = Date.parse('2026-12-06T17:00:00Z'); // 2026-12-07 01:00 in Beijing
  it('defaults to the last 30 Beijing days, today included', () => {
    expect(defaultRange(now)).toEqual({ from: '2026-11-08', to: '2026-12-07' });
    expect(defaultRange(now, 1)).toEqual({ from: '2026-12-07', to: '2026-12-07' });
  });
  it('says what is wrong with a range', () => {
    expect(rangeProblem('2026-11-08', '2026-12-07', now)).toBe('');
    expect(rangeProblem('2026-12-07', '2026-12-07', now)).toBe('');
    expect(rangeProblem('', '2026-12-07', now)).toBe('missing');
    expect(rangeProblem('2026-12-07', null, now)).toBe('missing');
    expect(rangeProblem('2026-12-08', '2026-12-07', now)).toBe('order');
    expect(rangeProblem('2026-12-08', '2026-12-09', now)).toBe('future');
    expect(rangeProblem('2024-01-01', '2026-12-07', now)).toBe('long');
  });
  it('names the file after the range', () => {
    expect(exportFilename('2026-11-08', '2026-12-07')).toBe('audit-2026-11-08-2026-12-07.ndjson');
  });
});

describe('the audit query', () => {
  it('keeps only the filters given, trimmed, with the page', () => {
    expect(auditQuery({})).toEqual({ limit: PAGE_SIZE });
    expect(auditQuery({ type: ' case. ', subjectType: 'case', subjectId: '', actor: ' u-1 ' }, 420, 50)).toEqual({
      limit: 50, after: 420, type: 'case.', subject_type: 'case', actor: 'u-1',
    });
  });
  it('offers more only after a full page with a cursor', () => {
    const full = { events: Array.from({ length: PAGE_SIZE }, (_, i) => ({ seq: i + 1 })), next_after: PAGE_SIZE };
    expect(hasMore(full)).toBe(true);
    expect(hasMore({ events: [{ seq: 1 }], next_after: 1 })).toBe(false);
    expect(hasMore({ events: [] })).toBe(false);
    expect(hasMore(null)).toBe(false);
  });
});

describe('hashes and details', () => {
  it('shortens long hashes only', () => {
    const head = '3f2a9c1e00112233445566778899aabbccddeeff00112233445566b07d4e21';
    expect(shortHash(head)).toBe('3f2a9c1e…b07d4e21');
    expect(shortHash('abcd')).toBe('abcd');
    expect(shortHash(null)).toBe('');
  });
  it('cuts long values', () => {
    expect(brief('short')).toBe('short');
    expect(brief({ a: 1 })).toBe('{"a":1}');
    expect(brief('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(brief(undefined)).toBe('');
  });
  it('lists the fields an event changed', () => {
    expect(changes({ state: 'submitted', n: 1 }, { state: 'accepted', n: 1, by: 'u' })).toEqual([
      { key: 'state', before: 'submitted', after: 'accepted' },
      { key: 'by', before: undefined, after: 'u' },
    ]);
    expect(changes(null, null)).toEqual([]);
    expect(changes({ roles: ['clerk'] }, { roles: ['clerk', 'reviewer'] })).toEqual([
      { key: 'roles', before: ['clerk'], after: ['clerk', 'reviewer'] },
    ]);
  });
  it('sums an event up from its changes or else its data', () => {
    expect(summary({ before: { state: 'submitted' }, after: { state: 'accepted' } })).toBe('state: submitted → accepted');
    expect(summary({ before: null, after: { active: false } })).toBe('active: ∅ → false');
    expect(summary({ data: { use_cause: '核对', matter: 'case:1' } })).toBe('use_cause=核对；matter=case:1');
    expect(summary({ data: { a: 1, b: 2, c: 3, d: 4 } })).toBe('a=1；b=2；c=3 …(+1)');
    expect(summary({})).toBe('');
  });
});
