// Pure helpers of the participation pages (意见征集, 在线调查): times in China time, a pasted draft
// split into clauses, answers built and checked before sending, and result bars. No Vue here, so
// the unit tests call them directly.

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, '0');

// "2026-03-16 18:00" in China time, whatever the browser's zone (the app's one helper).
export { chinaTime } from '../../time.js';

// An <input type="datetime-local"> value, read as China time → RFC 3339 ("…+08:00"); '' when empty
// or malformed.
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || '');
  if (!m) return '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] || '00'}+08:00`;
}

// The datetime-local value `days` after `nowMs`, at 18:00 China time (a sensible default deadline).
export function defaultDeadline(nowMs, days) {
  const d = new Date(nowMs + CHINA_OFFSET_MS + days * 86400000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T18:00`;
}

// What is left until `closesIso`: { closed } or { days, hours } (whole units, rounded down).
export function timeLeft(closesIso, nowMs) {
  const left = Date.parse(closesIso) - nowMs;
  if (Number.isNaN(left) || left <= 0) return { closed: true };
  return { closed: false, days: Math.floor(left / 86400000), hours: Math.floor((left % 86400000) / 3600000) };
}

// A draft pasted as text → clauses. Lines starting "第…条" open a clause (the number is the
// heading, the rest of the line and following lines its text); text before the first heading,
// or a draft without headings, becomes numbered paragraphs "第一条", "第二条", ….
const HEADING = /^\s*(第[一二三四五六七八九十百零〇两\d]+条)[\s　:：、.]*(.*)$/;
const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

export function chineseNumber(n) {
  if (n < 10) return CN_DIGITS[n];
  if (n < 20) return `十${n % 10 ? CN_DIGITS[n % 10] : ''}`;
  if (n < 100) return `${CN_DIGITS[Math.floor(n / 10)]}十${n % 10 ? CN_DIGITS[n % 10] : ''}`;
  const rest = n % 100;
  const tail = rest === 0 ? '' : rest < 10 ? `零${CN_DIGITS[rest]}` : rest < 20 ? `一${chineseNumber(rest)}` : chineseNumber(rest);
  return `${CN_DIGITS[Math.floor(n / 100)]}百${tail}`;
}

export function splitClauses(text) {
  const lines = String(text || '').split(/\r?\n/);
  const clauses = [];
  let current = null;
  const loose = [];
  for (const line of lines) {
    const m = HEADING.exec(line);
    if (m) {
      current = { number: m[1], text: m[2].trim() };
      clauses.push(current);
    } else if (line.trim()) {
      if (current) current.text = current.text ? `${current.text}\n${line.trim()}` : line.trim();
      else loose.push(line.trim());
    }
  }
  if (!clauses.length) return loose.map((t, i) => ({ number: `第${chineseNumber(i + 1)}条`, text: t }));
  return clauses;
}

// Clauses a server would refuse, as [{ index, problem }]: 'number' (empty or repeated) or 'text'.
export function clauseProblems(clauses) {
  const seen = new Set();
  const out = [];
  clauses.forEach((c, index) => {
    const n = (c.number || '').trim();
    if (!n || seen.has(n)) out.push({ index, problem: 'number' });
    else if (!(c.text || '').trim()) out.push({ index, problem: 'text' });
    seen.add(n);
  });
  return out;
}

// The form's values → the answers object of POST /responses: unanswered questions left out,
// scale values as integers, multiple choices in option order.
export function buildAnswers(questions, form) {
  const answers = {};
  for (const q of questions) {
    const v = form[q.id];
    if (q.kind === 'multiple') {
      const chosen = q.options.filter((o) => Array.isArray(v) && v.includes(o));
      if (chosen.length) answers[q.id] = chosen;
    } else if (q.kind === 'scale') {
      if (v !== undefined && v !== null && v !== '') answers[q.id] = Number(v);
    } else if (typeof v === 'string' && v.trim()) {
      answers[q.id] = q.kind === 'text' ? v.trim() : v;
    }
  }
  return answers;
}

// Ids of required questions the answers leave out, in question order.
export function missingRequired(questions, answers) {
  return questions.filter((q) => q.required && !(q.id in answers)).map((q) => q.id);
}

// The question id a problem's field points at ("/answers/q2/1" → "q2"), or ''.
export function questionOfField(field) {
  const m = /^\/answers\/([^/]+)/.exec(field || '');
  return m ? m[1].replace(/~1/g, '/').replace(/~0/g, '~') : '';
}

// Rows for the bar chart of one result question: [{ label, count, percent }] with percent of the
// responses that answered it (0 when none did), rounded to a whole number.
export function resultRows(q) {
  let pairs = [];
  if (q.kind === 'single' || q.kind === 'multiple') {
    const options = q.options || Object.keys(q.counts || {});
    pairs = options.map((o) => [o, (q.counts || {})[o] || 0]);
  } else if (q.kind === 'scale') {
    pairs = Object.keys(q.histogram || {})
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => [k, q.histogram[k]]);
  }
  const base = q.answered || 0;
  return pairs.map(([label, count]) => ({ label, count, percent: base ? Math.round((count * 100) / base) : 0 }));
}

// Whether the signed-in user manages participation for a department (create, publish, decide).
export function mayManage(user) {
  if (!user || user.kind !== 'official') return false;
  return (user.roles || []).some((r) => ['clerk', 'reviewer', 'approver', 'admin'].includes(r));
}

// Citizens and businesses take part; officials only read.
export function mayTakePart(user) {
  return Boolean(user) && (user.kind === 'citizen' || user.kind === 'business');
}

// Comments grouped by clause number ('' = the whole draft), in the order they came.
export function byClause(comments) {
  const groups = {};
  for (const c of comments || []) (groups[c.clause] ||= []).push(c);
  return groups;
}
