// From GET /api/v1/appeals/hot-issues to what the cockpit tile and the hot-issue page show: the
// window choices, the figures in words, the heat bar chart and its text summary, the CSV file's
// name. Pure functions of (reply, t, style), unit-tested without a browser.

export const WINDOWS = [7, 30, 90];
export const DEFAULT_DAYS = 30;
// The cockpit tile lists this many; the page asks for the server's maximum.
export const TILE_LIMIT = 5;
export const PAGE_LIMIT = 50;
// Bars in one chart: more would not leave room for the titles on a laptop.
export const CHART_BARS = 8;

// Colours of the light (non-cockpit) page; the cockpit passes its own DARK / HIGH_CONTRAST.
export const LIGHT = { text: '#1d1f23', muted: '#33363b', axis: '#555960', split: 'rgba(0, 0, 0, 0.12)', panel: '#ffffff' };
const BAR = { dark: '#ffab5e', light: '#b34d00' };

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

// ?days= from the address bar or a select: one of the windows, else the default.
export function windowDays(value) {
  const n = Number(value);
  return WINDOWS.includes(n) ? n : DEFAULT_DAYS;
}

// Heat to one decimal: 85.25 → "85.3"; 12 → "12.0".
export function heatText(heat) {
  return isNum(heat) ? (Math.round(heat * 10) / 10).toFixed(1) : '—';
}

// "2026-11-20T09:30:00+08:00" → "2026-11-20": the server's own (UTC+8) date.
export function dateOf(iso) {
  return typeof iso === 'string' && iso.length >= 10 ? iso.slice(0, 10) : '';
}

// Whole days an issue has lasted: the server's span_days, else from first_at/last_at; at least 1.
export function spanDays(issue) {
  if (isNum(issue?.span_days)) return Math.max(1, Math.round(issue.span_days));
  const first = Date.parse(issue?.first_at);
  const last = Date.parse(issue?.last_at);
  if (Number.isNaN(first) || Number.isNaN(last)) return 1;
  return Math.max(1, Math.ceil((last - first) / 86_400_000));
}

export function issuesOf(reply) {
  return Array.isArray(reply?.issues) ? reply.issues : [];
}

// The figures of one issue in words, in the caller's language.
export function issueFacts(issue, t) {
  return {
    place: issue?.place || t('board.hot.noPlace'),
    count: t('board.hot.count', { n: issue?.count ?? 0 }),
    people: t('board.hot.people', { n: issue?.people ?? 0 }),
    likes: t('board.hot.likes', { n: issue?.likes ?? 0 }),
    span: t('board.hot.span', { n: spanDays(issue) }),
    heat: heatText(issue?.heat),
    range: t('board.hot.range', { first: dateOf(issue?.first_at), last: dateOf(issue?.last_at) }),
  };
}

// The chart's accessible name: every listed issue with its place and figures, hottest first.
export function hotSummary(reply, t, limit = Infinity) {
  const days = reply?.window_days ?? DEFAULT_DAYS;
  const issues = issuesOf(reply).slice(0, limit);
  if (!issues.length) return t('board.hot.summaryEmpty', { days });
  const parts = issues.map((i, k) => t('board.hot.summaryItem', {
    rank: k + 1,
    title: i.title,
    place: i.place || t('board.hot.noPlace'),
    count: i.count ?? 0,
    people: i.people ?? 0,
    heat: heatText(i.heat),
  }));
  return t('board.hot.summary', { days, n: issues.length, parts: parts.join('; ') });
}

// Cuts a title for an axis label (code points, so no character is split).
export function shortTitle(title, max = 14) {
  const chars = Array.from(String(title ?? ''));
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

// Heat of the hottest issues as horizontal bars, hottest on top. `style` = {font, colors,
// animation, dark}.
export function hotOption(reply, t, style, bars = CHART_BARS) {
  const issues = issuesOf(reply).slice(0, bars).reverse();
  const color = style.dark ? BAR.dark : BAR.light;
  return {
    animation: style.animation,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      backgroundColor: style.colors.panel,
      borderColor: style.colors.axis,
      textStyle: { color: style.colors.text, fontSize: style.font },
    },
    grid: { left: 8, right: style.font * 3, top: 8, bottom: 8, containLabel: true },
    xAxis: {
      type: 'value',
      axisLabel: { color: style.colors.muted, fontSize: style.font },
      splitLine: { lineStyle: { color: style.colors.split } },
    },
    yAxis: {
      type: 'category',
      data: issues.map((i) => shortTitle(i.title, style.titleChars || 12)),
      axisLabel: { color: style.colors.text, fontSize: style.font, interval: 0 },
      axisLine: { lineStyle: { color: style.colors.axis } },
    },
    series: [
      {
        type: 'bar',
        name: t('board.hot.heat'),
        barMaxWidth: style.font * 1.4,
        itemStyle: { color },
        label: { show: true, position: 'right', color: style.colors.text, fontSize: style.font, formatter: (p) => heatText(p.value) },
        data: issues.map((i) => (isNum(i.heat) ? i.heat : 0)),
      },
    ],
  };
}

// "hot-issues-30d-2026-11-23.csv": the window and the day the server computed it (its UTC+8 date),
// so exports of different windows and days never overwrite each other.
export function csvFilename(days, generatedAt, now = new Date()) {
  const date = dateOf(generatedAt) || new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  return `hot-issues-${windowDays(days)}d-${date}.csv`;
}

export function csvPath(days) {
  return `/api/v1/appeals/hot-issues.csv?days=${windowDays(days)}`;
}

// Where a member appeal opens: the officials' appeal page (areas/appeals/routes.js, /appeals/work/:id).
export function appealHref(id) {
  return `/appeals/work/${encodeURIComponent(id)}`;
}

// Who may see hot issues: supervisors, admins and the 12345 hotline centre's staff.
export const HOTLINE_DEPT = '12345';
export function mayReadHotIssues(user) {
  if (!user || user.kind !== 'official') return false;
  const roles = user.roles || [];
  return roles.includes('supervisor') || roles.includes('admin') || user.dept_id === HOTLINE_DEPT;
}
