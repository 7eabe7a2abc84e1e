// Pure helpers of the audit page (审计日志, Audit.vue): Beijing times and dates whatever the
// browser's zone, the query of GET /api/v1/audit, the export's date range and file name, short
// hashes, and what an event changed. No Vue here, so the unit tests call them directly.

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86400000;
const pad = (n) => String(n).padStart(2, '0');

export const PAGE_SIZE = 100;
export const EXPORT_DAYS = 30;
// The longest range one export asks for. The trail keeps 180 days (retention_days), so a year
// covers all of it; the server has the last word on the range.
export const MAX_EXPORT_DAYS = 366;

// "2026-12-07 10:47:01" in Beijing time, from any RFC 3339 instant ("…Z" or "…+08:00").
export function beijingTime(iso) {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  const d = new Date(ms + CHINA_OFFSET_MS);
  return `${beijingDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// The Beijing date ("2026-12-07") of an instant in milliseconds.
export function beijingDate(ms) {
  const d = new Date(ms + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dayNumber = (date) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

// The export's default range: the last `days` Beijing days, today included.
export function defaultRange(nowMs, days = EXPORT_DAYS) {
  return { from: beijingDate(nowMs - (days - 1) * DAY_MS), to: beijingDate(nowMs) };
}

// What is wrong with an export range, or '' when it is fine: 'missing' (a date not chosen),
// 'order' (from after to), 'future' (from after today), 'long' (more than MAX_EXPORT_DAYS days).
export function rangeProblem(from, to, nowMs) {
  if (!DATE.test(from || '') || !DATE.test(to || '')) return 'missing';
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (Number.isNaN(a) || Number.isNaN(b)) return 'missing';
  if (a > b) return 'order';
  if (nowMs !== undefined && from > beijingDate(nowMs)) return 'future';
  if (b - a + 1 > MAX_EXPORT_DAYS) return 'long';
  return '';
}

// "audit-2026-11-08-2026-12-07.ndjson".
export function exportFilename(from, to) {
  return `audit-${from}-${to}.ndjson`;
}

// The query of GET /api/v1/audit: the filters trimmed, empty ones left out, and the page.
export function auditQuery(filters, after = 0, limit = PAGE_SIZE) {
  const query = { limit };
  if (after) query.after = after;
  const names = { type: 'type', subjectType: 'subject_type', subjectId: 'subject_id', actor: 'actor' };
  for (const [key, param] of Object.entries(names)) {
    const v = String(filters?.[key] ?? '').trim();
    if (v) query[param] = v;
  }
  return query;
}

// Whether another page may follow: a full page came back, with the server's cursor.
export function hasMore(reply, limit = PAGE_SIZE) {
  return Boolean(reply && reply.next_after && (reply.events || []).length >= limit);
}

// "3f2a9c1e…b07d4e21": a long hex hash shortened for the eye (the full one stays copyable).
export function shortHash(hex, keep = 8) {
  const s = String(hex || '');
  return s.length <= keep * 2 + 1 ? s : `${s.slice(0, keep)}…${s.slice(-keep)}`;
}

// A value as one short line: strings as they are, everything else as JSON, cut at `max` characters.
export function brief(value, max = 60) {
  if (value === undefined) return '';
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// The top-level fields an event changed: [{ key, before, after }] where the before and after
// documents differ (a field only on one side counts), in the after document's order first.
export function changes(before, after) {
  const b = before && typeof before === 'object' && !Array.isArray(before) ? before : {};
  const a = after && typeof after === 'object' && !Array.isArray(after) ? after : {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => ({ key: k, before: b[k], after: a[k] }));
}

// An event's details as one line for the table: its changed fields ("state: submitted → accepted")
// or, without before/after documents, its data's fields ("use_cause=…").
export function summary(event, max = 3) {
  const diff = changes(event?.before, event?.after);
  const parts = diff.length
    ? diff.map((c) => `${c.key}: ${c.before === undefined ? '∅' : brief(c.before, 24)} → ${c.after === undefined ? '∅' : brief(c.after, 24)}`)
    : Object.entries(event?.data && typeof event.data === 'object' ? event.data : {}).map(([k, v]) => `${k}=${brief(v, 24)}`);
  const shown = parts.slice(0, max).join('；');
  return parts.length > max ? `${shown} …(+${parts.length - max})` : shown;
}
