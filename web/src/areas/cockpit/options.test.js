import { describe, it, expect } from 'vitest';
import {
  kpis, statesOption, deptsOption, trendOption, statesSummary, deptsSummary, trendSummary,
  seriesTotal, percentNumber, oneDecimal, stamp, count, DARK,
} from './options.js';
import { mergeLocales } from '../../i18n.js';
import * as cockpit from '../../locales/cockpit.js';

// A translate function over the real cockpit strings with plain {name} interpolation; other
// areas' keys (common.states.*) come back as the key itself.
function translator(lang) {
  const messages = mergeLocales([cockpit])[lang];
  return (key, params = {}) => {
    const text = key.split('.').reduce((o, k) => (o ? o[k] : undefined), messages);
    if (typeof text !== 'string') return key;
    return text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
  };
}

const t = translator('en');
const style = { font: 14, colors: DARK, animation: false };

const summary = {
  generated_at: '2026-10-30T10:00:05.000+08:00',
  days: 3,
  totals: { cases: 11, open: 4, completed: 5, red: 2, yellow: 1 },
  by_state: { submitted: 1, correction: 0, in_review: 3, suspended: 0, not_accepted: 1, granted: 0, denied: 0, completed: 5, withdrawn: 1 },
  by_department: [
    { dept_id: 'scjg', dept_name: '市场监管局', total: 6, open: 2, completed: 3, overdue: 1 },
    { dept_id: 'gaj', dept_name: '公安局', total: 5, open: 2, completed: 2, overdue: 1 },
  ],
  channels: { online: 8, window: 3 },
  online_rate: 8 / 11,
  on_time_rate: 0.75,
  on_time_goal: 0.95,
  avg_working_days: 2.25,
  avg_promised_days: 5.25,
  satisfaction: { count: 5, average: 3.6, good_rate: 0.6 },
  trend: [
    { date: '2026-10-28', filed: 1, completed: 0 },
    { date: '2026-10-29', filed: 0, completed: 2 },
    { date: '2026-10-30', filed: 4, completed: 1 },
  ],
};

describe('kpis', () => {
  it('maps the summary to tiles with their status in words, not colour alone', () => {
    const tiles = Object.fromEntries(kpis(summary).map((k) => [k.id, k]));
    expect(Object.keys(tiles)).toEqual(['cases', 'open', 'online', 'onTime', 'days', 'satisfaction']);
    expect(tiles.cases).toMatchObject({ value: 11, completed: 5 });
    expect(tiles.open).toMatchObject({ value: 4, red: 2, yellow: 1, status: 'bad' });
    expect(tiles.online).toMatchObject({ value: 8 / 11, online: 8, window: 3 });
    expect(tiles.onTime).toMatchObject({ value: 0.75, goal: 0.95, status: 'bad' });
    expect(tiles.days).toMatchObject({ value: 2.25, promised: 5.25, status: 'ok' });
    expect(tiles.satisfaction).toMatchObject({ value: 0.6, average: 3.6, count: 5, status: 'ok' });
  });

  it('meets the goal at exactly 95 % and says "none" without completions or ratings', () => {
    const met = kpis({ ...summary, on_time_rate: 0.95 }).find((k) => k.id === 'onTime');
    expect(met.status).toBe('ok');
    const empty = Object.fromEntries(kpis({ totals: {}, on_time_rate: null, avg_working_days: null, satisfaction: { count: 0, average: null, good_rate: null } }).map((k) => [k.id, k]));
    expect(empty.onTime.status).toBe('none');
    expect(empty.days.status).toBe('none');
    expect(empty.satisfaction.status).toBe('none');
    expect(empty.cases.value).toBe(0);
  });
});

describe('chart options', () => {
  it('draws the non-empty states with their counts', () => {
    const option = statesOption(summary, t, style);
    const data = option.series[0].data;
    expect(data.map((d) => d.name)).toEqual(['common.states.submitted', 'common.states.in_review', 'common.states.not_accepted', 'common.states.completed', 'common.states.withdrawn']);
    expect(data.map((d) => d.value)).toEqual([1, 3, 1, 5, 1]);
    expect(seriesTotal(option)).toBe(11);
  });

  it('stacks each department to its total, busiest at the top', () => {
    const option = deptsOption(summary, t, style);
    expect(option.yAxis.data).toEqual(['公安局', '市场监管局']);
    expect(option.series.map((s) => s.name)).toEqual(['Completed', 'In progress', 'Other']);
    expect(option.series.map((s) => s.data)).toEqual([[2, 3], [2, 2], [1, 1]]);
    expect(option.series.every((s) => s.stack === 'total')).toBe(true);
    expect(seriesTotal(option)).toBe(11);
  });

  it('plots filed and completed per day, the second dashed', () => {
    const option = trendOption(summary, t, style);
    expect(option.xAxis.data).toEqual(['10-28', '10-29', '10-30']);
    expect(option.series[0]).toMatchObject({ type: 'line', name: 'Filed', data: [1, 0, 4] });
    expect(option.series[1]).toMatchObject({ name: 'Completed', data: [0, 2, 1] });
    expect(option.series[1].lineStyle.type).toBe('dashed');
    expect(seriesTotal(option)).toBe(8);
  });

  it('keeps the seven busiest departments and sums the rest into one bar', () => {
    const many = { by_department: Array.from({ length: 10 }, (_, i) => ({ dept_id: `d${i}`, dept_name: `D${i}`, total: 10 - i, open: 1, completed: 0 })) };
    const option = deptsOption(many, t, style);
    expect(option.yAxis.data).toEqual(['3 other departments', 'D6', 'D5', 'D4', 'D3', 'D2', 'D1', 'D0']);
    expect(option.series[1].data[0]).toBe(3);                 // in progress, summed
    expect(seriesTotal(option)).toBe(55);                     // every case still counted
    expect(deptsSummary(many, t)).toContain('D9: 1 in all');  // the text names them all
  });

  it('uses the style font for every text', () => {
    const option = deptsOption(summary, t, { ...style, font: 20 });
    expect(option.yAxis.axisLabel.fontSize).toBe(20);
    expect(option.legend.textStyle.fontSize).toBe(20);
  });

  it('survives an empty summary', () => {
    for (const f of [statesOption, deptsOption, trendOption]) expect(seriesTotal(f({}, t, style))).toBe(0);
  });
});

describe('text summaries', () => {
  it('names every state, department and the trend in words', () => {
    expect(statesSummary(summary, t)).toBe('Applications by state, 11 in all: common.states.submitted 1, common.states.in_review 3, common.states.not_accepted 1, common.states.completed 5, common.states.withdrawn 1.');
    expect(deptsSummary(summary, t)).toContain('市场监管局: 6 in all, 2 in progress, 3 completed, 1 overdue');
    expect(trendSummary(summary, t)).toBe('In the last 3 days 5 applications were filed and 3 completed; the busiest day had 4 filed (2026-10-30).');
    expect(trendSummary({}, t)).toBe('No data yet.');
  });

  it('has every Chinese key in English too', () => {
    const keys = (o, p = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]));
    const { zh, en } = mergeLocales([cockpit]);
    expect(keys(en)).toEqual(keys(zh));
    expect(translator('zh')('cockpit.kpi.onTime')).toBe('按时办结率');
  });
});

describe('formatting', () => {
  it('formats rates, days, counts and the server time', () => {
    expect(percentNumber(0.9567)).toBe('95.7');
    expect(percentNumber(1)).toBe('100.0');
    expect(percentNumber(null)).toBe(null);
    expect(oneDecimal(2.25)).toBe('2.3');
    expect(count(12345)).toBe('12,345');
    expect(count(undefined)).toBe('—');
    expect(stamp('2026-10-30T10:00:05.000+08:00')).toBe('2026-10-30 10:00:05');
    expect(stamp(null)).toBe('');
  });
});
