import { describe, expect, it } from 'vitest';
import {
  WINDOWS, appealHref, csvFilename, csvPath, heatText, hotOption, hotSummary, issueFacts, mayReadHotIssues, shortTitle,
  spanDays, windowDays,
} from './hot-issues.js';

// A stand-in for vue-i18n's t: the key and its values, so tests see what reaches the template.
const t = (key, values) => (values ? `${key}${JSON.stringify(values)}` : key);

const reply = {
  window_days: 30,
  generated_at: '2026-11-23T08:15:00.000+08:00',
  issues: [
    { id: 'h1', title: '幸福小区门口道路积水严重', place: '幸福小区', entities: ['积水'], count: 12, people: 9, likes: 30, first_at: '2026-11-01T08:00:00+08:00', last_at: '2026-11-20T08:00:00+08:00', span_days: 19, heat: 85.25, appeal_ids: ['A1', 'A2'], dept_ids: ['zjj'] },
    { id: 'h2', title: '夜间施工噪音', place: '', entities: [], count: 4, people: 4, likes: 0, first_at: '2026-11-21T08:00:00+08:00', last_at: '2026-11-21T20:00:00+08:00', span_days: 0, heat: 20, appeal_ids: ['A3'], dept_ids: [] },
  ],
};

describe('hot issues', () => {
  it('accepts only the offered windows', () => {
    expect(WINDOWS).toEqual([7, 30, 90]);
    expect(windowDays('7')).toBe(7);
    expect(windowDays(90)).toBe(90);
    expect(windowDays('365')).toBe(30);
    expect(windowDays(undefined)).toBe(30);
  });
  it('names the CSV by window and the server day', () => {
    expect(csvFilename(7, reply.generated_at)).toBe('hot-issues-7d-2026-11-23.csv');
    expect(csvFilename('abc', '')).toMatch(/^hot-issues-30d-\d{4}-\d{2}-\d{2}\.csv$/);
    // Without the server's time: today in UTC+8 (23:30 UTC is already the next day there).
    expect(csvFilename(90, null, new Date('2026-11-23T23:30:00Z'))).toBe('hot-issues-90d-2026-11-24.csv');
    expect(csvPath('7')).toBe('/api/v1/appeals/hot-issues.csv?days=7');
    expect(csvPath('1; drop')).toBe('/api/v1/appeals/hot-issues.csv?days=30');
  });
  it('says heat to one decimal and spans in whole days', () => {
    expect(heatText(85.25)).toBe('85.3');
    expect(heatText(20)).toBe('20.0');
    expect(heatText(undefined)).toBe('—');
    expect(spanDays(reply.issues[0])).toBe(19);
    expect(spanDays(reply.issues[1])).toBe(1);
    expect(spanDays({ first_at: '2026-11-01T00:00:00Z', last_at: '2026-11-03T12:00:00Z' })).toBe(3);
  });
  it('gives every figure in words, with a stand-in for an unknown place', () => {
    const f = issueFacts(reply.issues[1], t);
    expect(f.place).toBe('board.hot.noPlace');
    expect(f.count).toBe('board.hot.count{"n":4}');
    expect(f.heat).toBe('20.0');
  });
  it('summarises the chart with titles, places and figures', () => {
    const s = hotSummary(reply, t);
    expect(s).toContain('"n":2');
    expect(s).toContain('幸福小区门口道路积水严重');
    expect(s).toContain('85.3');
    expect(s).not.toContain('85.25');
    expect(hotSummary({ window_days: 7, issues: [] }, t)).toBe('board.hot.summaryEmpty{"days":7}');
    expect(hotSummary(reply, t, 1)).toContain('"n":1');
  });
  it('draws the hottest on top with the heat values', () => {
    const style = { font: 14, colors: { text: '#fff', muted: '#ccc', axis: '#999', split: '#333', panel: '#000' }, animation: false, dark: true, titleChars: 8 };
    const option = hotOption(reply, t, style);
    expect(option.series[0].data).toEqual([20, 85.25]);
    expect(option.yAxis.data).toEqual(['夜间施工噪音', '幸福小区门口道…']);
    expect(hotOption(reply, t, style, 1).series[0].data).toEqual([85.25]);
    expect(shortTitle('𠮷'.repeat(5), 3)).toBe('𠮷𠮷…');
  });
  it('lets supervisors, admins and hotline staff read them', () => {
    expect(mayReadHotIssues({ kind: 'official', roles: ['supervisor'] })).toBe(true);
    expect(mayReadHotIssues({ kind: 'official', roles: ['clerk'], dept_id: '12345' })).toBe(true);
    expect(mayReadHotIssues({ kind: 'official', roles: ['clerk'], dept_id: 'scjg' })).toBe(false);
    expect(mayReadHotIssues({ kind: 'citizen', roles: [], dept_id: '12345' })).toBe(false);
    expect(mayReadHotIssues(null)).toBe(false);
    expect(appealHref('A1')).toBe('/appeals/work/A1');
  });
});
