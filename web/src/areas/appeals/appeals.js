// Pure logic of the appeal pages (12345 诉求): types and states, the clock in words, urgency
// order, the form's checks and payload, the server's redirect answer and the list shapes. No Vue
// here, so it is unit-tested directly (appeals.test.js).

export const TYPES = ['consult', 'help', 'complaint', 'report', 'suggestion'];
export const STATES = ['accepted', 'dispatched', 'returned', 'handling', 'replied', 'closed', 'called_back', 'rated'];
// The classifier's first-level classes (the city's taxonomy); names in the locale file.
export const LABELS = ['城乡建设', '劳动和社会保障', '教育文体', '商贸旅游', '环境保护', '卫生计生', '交通运输'];
const LABEL_KEYS = {
  城乡建设: 'urban', 劳动和社会保障: 'labour', 教育文体: 'education', 商贸旅游: 'commerce',
  环境保护: 'environment', 卫生计生: 'health', 交通运输: 'transport',
};
// The locale key of a class; unknown classes (a retrained model may add some) are shown as is.
export function labelKey(label) {
  return LABEL_KEYS[label] || '';
}
// Still with the department: open on the clock.
export const OPEN_STATES = ['accepted', 'dispatched', 'returned', 'handling'];
export const HOTLINE_DEPT = '12345';

export const LIMITS = { title: 200, text: 5000, location: 500, photos: 9, reason: 2000 };
export const PHOTO_TYPES = ['image/jpeg', 'image/png'];
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

// Code points, as the server counts (an emoji is one character, not two UTF-16 units).
export function charCount(text) {
  return Array.from(text || '').length;
}

// The list endpoint answers {items, total}; the design note calls the member `appeals`.
export function listOf(reply) {
  return reply?.items || reply?.appeals || [];
}

// GET /api/v1/appeals/{id}: the appeal with `history` beside its fields, or {appeal, history}.
export function detailOf(reply) {
  if (!reply) return { appeal: null, history: [] };
  const appeal = reply.appeal || reply;
  const history = (reply.history || []).map((h) => ({
    ...h,
    from: h.from ?? h.from_state ?? '',
    to: h.to ?? h.to_state ?? '',
  }));
  return { appeal, history };
}

// The clock in words: a translation key and its number. `level` is the alert (none/yellow/red).
export function clockWords(appeal) {
  const c = appeal?.clock;
  if (!c) return null;
  const level = c.alert || 'none';
  if (['closed', 'called_back', 'rated'].includes(appeal.state)) return { key: 'done', n: 0, level: 'none', deadline: c.deadline };
  if (c.stopped || appeal.state === 'replied') {
    const late = c.remaining_days < 0;
    return { key: late ? 'repliedLate' : 'repliedOnTime', n: Math.abs(c.remaining_days), level: late ? 'red' : 'none', deadline: c.deadline };
  }
  const r = c.remaining_days;
  if (r < 0) return { key: 'overdue', n: -r, level: 'red', deadline: c.deadline };
  if (r === 0) return { key: 'dueToday', n: 0, level: level === 'none' ? 'yellow' : level, deadline: c.deadline };
  return { key: 'left', n: r, level, deadline: c.deadline };
}

const ALERT_RANK = { red: 0, yellow: 1, none: 2 };

// Most urgent first: red, then yellow, then the fewest working days left; ties oldest first.
export function sortByUrgency(list) {
  return [...(list || [])].sort((a, b) => {
    const ra = ALERT_RANK[a?.clock?.alert] ?? 2;
    const rb = ALERT_RANK[b?.clock?.alert] ?? 2;
    if (ra !== rb) return ra - rb;
    const da = a?.clock?.remaining_days ?? Infinity;
    const db = b?.clock?.remaining_days ?? Infinity;
    if (da !== db) return da - db;
    return String(a?.created_at || '').localeCompare(String(b?.created_at || ''));
  });
}

// The citizen's / operator's form: problems as {field: key} for the locale's `form.errors`.
export function checkAppeal(form, { phone = false } = {}) {
  const errors = {};
  if (!TYPES.includes(form.type)) errors.type = 'type';
  const title = (form.title || '').trim();
  if (!title) errors.title = 'required';
  else if (charCount(title) > LIMITS.title) errors.title = 'tooLong';
  const text = (form.text || '').trim();
  if (!text) errors.text = 'required';
  else if (charCount(text) < 10) errors.text = 'tooShort';
  else if (charCount(text) > LIMITS.text) errors.text = 'tooLong';
  if (charCount(form.location) > LIMITS.location) errors.location = 'tooLong';
  if ((form.photos || []).length > LIMITS.photos) errors.photos = 'tooMany';
  if (phone) {
    const p = (form.callerPhone || '').trim();
    if (!p) errors.callerPhone = 'required';
    else if (!/^[0-9+\-\s()]{3,32}$/.test(p)) errors.callerPhone = 'phone';
  }
  return errors;
}

// The POST /api/v1/appeals body. Flags the server defaults to false are sent only when set, so a
// server without `public_consent` yet still takes the form.
export function appealPayload(form, channel) {
  const body = {
    channel,
    type: form.type,
    title: form.title.trim(),
    text: form.text.trim(),
  };
  const location = (form.location || '').trim();
  if (location) body.location = location;
  if (typeof form.lon === 'number' && typeof form.lat === 'number') {
    body.lon = form.lon;
    body.lat = form.lat;
  }
  if (form.photos?.length) body.photos = form.photos.map((p) => p.sha256);
  if (form.anonymous) body.anonymous = true;
  if (form.confidential) body.confidential = true;
  if (form.public_consent) body.public_consent = true;
  if (channel === 'phone') {
    body.caller = { phone: (form.callerPhone || '').trim() };
    const name = (form.callerName || '').trim();
    if (name) body.caller.name = name;
  }
  return body;
}

// One key per filled-in form: a double tap (or a retry after a lost answer) sends the same key.
export function newIdempotencyKey() {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// A matter the hotline does not take (400 with `redirect`): the channel to name.
export function redirectOf(problem, lang) {
  const r = problem?.redirect;
  if (!r) return null;
  return {
    rule: r.rule || '',
    channel: (lang === 'zh' ? r.channel_zh : r.channel_en) || r.channel_zh || r.channel_en || '',
    message: (lang === 'zh' ? problem.message_zh : problem.message_en) || '',
  };
}

// 409 `replayed` (the form's Idempotency-Key was used already): the appeal filed the first time,
// from `appeal_id` or, failing that, the number the message names; '' when neither says;
// null for any other answer.
export function replayedOf(status, problem) {
  if (status !== 409 || problem?.code !== 'replayed') return null;
  if (problem.appeal_id) return String(problem.appeal_id);
  const m = `${problem.message_en || ''} ${problem.message_zh || ''}`.match(/AP\d{10,}/);
  return m ? m[0] : '';
}

// 422 weak_reply carries the check; the preview endpoint answers it directly.
export function replyCheckOf(problem) {
  return problem?.reply_check || null;
}

export function issueText(issue, lang) {
  return (lang === 'zh' ? issue.message_zh : issue.message_en) || issue.message_zh || issue.code || '';
}

// The reply check scores out of 100.
export function scorePercent(score) {
  if (typeof score !== 'number' || Number.isNaN(score)) return null;
  return Math.round(Math.min(100, Math.max(0, score)));
}

export function confidencePercent(c) {
  return typeof c === 'number' ? Math.round(c * 100) : null;
}

// What the citizen may still do.
export const canRate = (a) => Boolean(a) && ['closed', 'called_back'].includes(a.state) && a.rating == null;

// The step a history entry stands for, for the timeline's words (appeal.dispatched → dispatched).
export function eventKey(event) {
  const k = String(event || '').replace(/^appeal\./, '');
  return k || 'unknown';
}

// "2026-12-07 09:30" in Beijing time, whatever the browser's zone (all times are shown so).
export { chinaTime as formatInstant } from '../../time.js';

export function rateText(rate) {
  return typeof rate === 'number' ? `${Math.round(rate * 1000) / 10}%` : '—';
}

// Who may use which area (meta.roles cannot say "of the hotline department").
export function isHotlineStaff(user) {
  return Boolean(user) && user.kind === 'official' && user.dept_id === HOTLINE_DEPT && (user.roles || []).some((r) => ['clerk', 'reviewer'].includes(r));
}
export function isHandlingOfficial(user) {
  return Boolean(user) && user.kind === 'official' && user.dept_id !== HOTLINE_DEPT && Boolean(user.dept_id) && (user.roles || []).some((r) => ['clerk', 'reviewer', 'approver'].includes(r));
}
export function isCentreUser(user) {
  return isHotlineStaff(user) || (Boolean(user) && (user.roles || []).some((r) => ['supervisor', 'admin'].includes(r)));
}

// Calls `fn` once `ms` after the last call; `.cancel()` drops a pending call.
export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  wrapped.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return wrapped;
}

// What the classifier is given: title and text, as the server classifies on intake.
export function classifyText(form) {
  return [form.title, form.text].map((s) => (s || '').trim()).filter(Boolean).join('\n');
}
