// From GET /api/v1/cockpit/summary to what the cockpit shows: KPI tiles, ECharts options and the
// text summaries that give each chart its accessible name. Pure functions of (summary, t, style),
// so they are unit-tested without a browser; `t` is vue-i18n's translate function.

export const STATES = ['submitted', 'correction', 'in_review', 'suspended', 'not_accepted', 'granted', 'denied', 'completed', 'withdrawn'];

// Colours chosen for ≥ 3:1 against the dark panel (#13254a) and distinct without colour vision
// (each series is also named in the legend, tooltip and text summary).
export const PALETTE = ['#6cb4ff', '#5fd39b', '#ffc94d', '#ff8a80', '#c3a6ff', '#6fe3e8', '#f5a3d1', '#d4e157', '#ffab5e'];

export const DARK = { text: '#e8eef9', muted: '#b8c6de', axis: '#7d8fb3', split: 'rgba(184, 198, 222, 0.18)', panel: '#13254a' };
export const HIGH_CONTRAST = { text: '#ffffff', muted: '#ffffff', axis: '#ffffff', split: 'rgba(255, 255, 255, 0.35)', panel: '#000000' };

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

// 0.9567 → "95.7"; null → null. One decimal is what a wall can show and a leader reads.
export function percentNumber(rate) {
  return isNum(rate) ? (Math.round(rate * 1000) / 10).toFixed(1) : null;
}

export function oneDecimal(v) {
  return isNum(v) ? (Math.round(v * 10) / 10).toFixed(1) : null;
}

// The KPI tiles, in display order. `status` says in words what a colour would otherwise say.
export function kpis(s) {
  const totals = s?.totals || {};
  const goal = isNum(s?.on_time_goal) ? s.on_time_goal : 0.95;
  const onTime = s?.on_time_rate;
  const avg = s?.avg_working_days;
  const promised = s?.avg_promised_days;
  const sat = s?.satisfaction || {};
  return [
    { id: 'cases', value: totals.cases ?? 0, completed: totals.completed ?? 0 },
    { id: 'open', value: totals.open ?? 0, red: totals.red ?? 0, yellow: totals.yellow ?? 0, status: (totals.red ?? 0) > 0 ? 'bad' : 'ok' },
    { id: 'online', value: s?.online_rate ?? null, online: s?.channels?.online ?? 0, window: s?.channels?.window ?? 0 },
    {
      id: 'onTime',
      value: isNum(onTime) ? onTime : null,
      goal,
      status: !isNum(onTime) ? 'none' : onTime >= goal ? 'ok' : 'bad',
    },
    {
      id: 'days',
      value: isNum(avg) ? avg : null,
      promised: isNum(promised) ? promised : null,
      status: !isNum(avg) || !isNum(promised) ? 'none' : avg <= promised ? 'ok' : 'bad',
    },
    {
      id: 'satisfaction',
      value: isNum(sat.good_rate) ? sat.good_rate : null,
      average: isNum(sat.average) ? sat.average : null,
      count: sat.count ?? 0,
      status: (sat.count ?? 0) > 0 ? 'ok' : 'none',
    },
  ];
}

// Sum of every numeric data point of every series: what the browser test reads back from the
// chart instance to prove the chart holds data.
export function seriesTotal(option) {
  let total = 0;
  for (const series of option?.series || []) {
    for (const d of series.data || []) {
      const v = typeof d === 'object' && d !== null ? d.value : d;
      if (isNum(v)) total += v;
    }
  }
  return total;
}

function textStyle(style) {
  return { color: style.colors.text, fontSize: style.font };
}

function tooltip(style) {
  return {
    backgroundColor: style.colors.panel,
    borderColor: style.colors.axis,
    textStyle: textStyle(style),
    confine: true,
  };
}

function legend(style) {
  return { top: 0, textStyle: textStyle(style), itemGap: style.font, icon: 'roundRect' };
}

// Cases by state: a ring with the non-empty states, named around it.
export function statesOption(s, t, style) {
  const data = STATES.map((state, i) => ({
    name: t(`common.states.${state}`),
    value: s?.by_state?.[state] ?? 0,
    itemStyle: { color: PALETTE[i % PALETTE.length] },
  })).filter((d) => d.value > 0);
  return {
    animation: style.animation,
    tooltip: { ...tooltip(style), trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    series: [
      {
        type: 'pie',
        name: t('cockpit.charts.states'),
        radius: ['38%', '60%'],
        center: ['50%', '52%'],
        avoidLabelOverlap: true,
        minShowLabelAngle: 4,
        // Labels kept inside the canvas at its edges, so narrow panels clip none.
        label: { color: style.colors.text, fontSize: style.font, formatter: '{b} {c}', alignTo: 'edge', edgeDistance: 4 },
        labelLayout: { hideOverlap: true },
        labelLine: { lineStyle: { color: style.colors.muted } },
        itemStyle: { borderColor: style.colors.panel, borderWidth: 2 },
        data,
      },
    ],
  };
}

// At most this many bars: the busiest departments, the rest summed into one, so every name stays
// readable on a laptop (the text summary lists them all).
export const MAX_DEPTS = 8;

export function topDepartments(list, t) {
  if (list.length <= MAX_DEPTS) return list;
  const rest = list.slice(MAX_DEPTS - 1);
  const sum = (k) => rest.reduce((n, d) => n + (d[k] ?? 0), 0);
  return [
    ...list.slice(0, MAX_DEPTS - 1),
    { dept_id: '', dept_name: t('cockpit.charts.otherDepts', { n: rest.length }), total: sum('total'), open: sum('open'), completed: sum('completed'), overdue: sum('overdue') },
  ];
}

// Cases by department: completed, in progress and other (not accepted, withdrawn) stacked to
// the department's total, busiest on top.
export function deptsOption(s, t, style) {
  // Reversed: ECharts draws the first category at the bottom.
  const depts = [...topDepartments(s?.by_department || [], t)].reverse();
  const bar = (name, color, pick) => ({
    type: 'bar',
    name,
    stack: 'total',
    barMaxWidth: style.font * 1.6,
    itemStyle: { color },
    data: depts.map(pick),
  });
  return {
    animation: style.animation,
    legend: legend(style),
    tooltip: { ...tooltip(style), trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 16, top: style.font * 2.6, bottom: 8, containLabel: true },
    xAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: style.colors.muted, fontSize: style.font },
      splitLine: { lineStyle: { color: style.colors.split } },
    },
    yAxis: {
      type: 'category',
      data: depts.map((d) => d.dept_name || d.dept_id),
      // Every department named (interval 0), long names cut to fit.
      axisLabel: { color: style.colors.text, fontSize: style.font, width: style.font * 9, overflow: 'truncate', interval: 0 },
      axisLine: { lineStyle: { color: style.colors.axis } },
    },
    series: [
      bar(t('cockpit.charts.completed'), PALETTE[1], (d) => d.completed ?? 0),
      bar(t('cockpit.charts.open'), PALETTE[0], (d) => d.open ?? 0),
      bar(t('cockpit.charts.other'), PALETTE[4], (d) => Math.max(0, (d.total ?? 0) - (d.open ?? 0) - (d.completed ?? 0))),
    ],
  };
}

// The daily trend: filed and completed per day (UTC+8 dates from the server).
export function trendOption(s, t, style) {
  const trend = s?.trend || [];
  return {
    animation: style.animation,
    legend: legend(style),
    tooltip: { ...tooltip(style), trigger: 'axis' },
    grid: { left: 8, right: 16, top: style.font * 2.6, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: trend.map((d) => d.date.slice(5)),
      axisLabel: { color: style.colors.muted, fontSize: style.font },
      axisLine: { lineStyle: { color: style.colors.axis } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: style.colors.muted, fontSize: style.font },
      splitLine: { lineStyle: { color: style.colors.split } },
    },
    series: [
      {
        type: 'line', name: t('cockpit.charts.filed'), smooth: true, smoothMonotone: 'x', symbolSize: 6,
        lineStyle: { width: 3, color: PALETTE[0] }, itemStyle: { color: PALETTE[0] },
        areaStyle: { color: 'rgba(108, 180, 255, 0.15)' },
        data: trend.map((d) => d.filed ?? 0),
      },
      {
        // Dashed as well as coloured, so the two lines differ without colour.
        type: 'line', name: t('cockpit.charts.completed'), smooth: true, smoothMonotone: 'x', symbol: 'diamond', symbolSize: 8,
        lineStyle: { width: 3, type: 'dashed', color: PALETTE[2] }, itemStyle: { color: PALETTE[2] },
        data: trend.map((d) => d.completed ?? 0),
      },
    ],
  };
}

// ---- Text summaries: each chart's accessible name ----------------------------------------------

export function statesSummary(s, t) {
  const parts = STATES.filter((st) => (s?.by_state?.[st] ?? 0) > 0).map((st) => `${t(`common.states.${st}`)} ${s.by_state[st]}`);
  if (!parts.length) return t('cockpit.summary.empty');
  return t('cockpit.summary.states', { total: s?.totals?.cases ?? 0, parts: parts.join(', ') });
}

export function deptsSummary(s, t) {
  const depts = s?.by_department || [];
  if (!depts.length) return t('cockpit.summary.empty');
  const parts = depts.map((d) => t('cockpit.summary.dept', {
    name: d.dept_name || d.dept_id, total: d.total ?? 0, open: d.open ?? 0, completed: d.completed ?? 0, overdue: d.overdue ?? 0,
  }));
  return t('cockpit.summary.depts', { parts: parts.join('; ') });
}

export function trendSummary(s, t) {
  const trend = s?.trend || [];
  if (!trend.length) return t('cockpit.summary.empty');
  let peak = trend[0];
  for (const d of trend) if ((d.filed ?? 0) > (peak.filed ?? 0)) peak = d;
  return t('cockpit.summary.trend', {
    days: trend.length,
    filed: trend.reduce((n, d) => n + (d.filed ?? 0), 0),
    completed: trend.reduce((n, d) => n + (d.completed ?? 0), 0),
    peak: peak.filed ?? 0,
    date: peak.date,
  });
}

// "2026-10-30T10:00:05.000+08:00" → "2026-10-30 10:00:05": the server's own UTC+8 wall time, so
// the wall shows Beijing time whatever the display's time zone.
export function stamp(iso) {
  if (typeof iso !== 'string' || iso.length < 19) return '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

const counter = new Intl.NumberFormat('en-US');
export function count(n) {
  return isNum(n) ? counter.format(n) : '—';
}
