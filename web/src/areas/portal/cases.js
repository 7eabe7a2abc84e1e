// What an applicant needs to read from a case: the clock as words with its urgency, the order of
// the card list, the one-time correction notice, whether and how it may still act.

export const OPEN_STATES = ['submitted', 'correction', 'in_review', 'suspended'];
export const DECIDED_STATES = ['granted', 'denied', 'completed', 'not_accepted', 'withdrawn'];

// Whether the public ledger holds an act of the case yet (its acceptance, refusal or a decision),
// so that its receipt exists: not for a case still awaiting acceptance or withdrawn before it.
export function hasLedgerActs(c) {
  return Boolean(c?.accepted_at) || ['not_accepted', 'granted', 'denied', 'completed'].includes(c?.state);
}

// The clock as the applicant reads it, or null before acceptance and after the decision (a decided
// case's clock is frozen history, not a countdown).
// level: 'none' | 'yellow' | 'red'; key: portal.clock.<key> with { n }.
export function clockInfo(c) {
  const clock = c?.clock;
  if (!clock || !OPEN_STATES.includes(c.state)) return null;
  const n = clock.remaining_days;
  const level = clock.alert === 'red' || n < 0 ? 'red' : clock.alert === 'yellow' ? 'yellow' : 'none';
  let key = clock.natural_days ? 'remainingNatural' : 'remaining';
  if (n < 0) key = clock.natural_days ? 'overdueNatural' : 'overdue';
  else if (n === 0) key = 'dueToday';
  return {
    n: Math.abs(n),
    level,
    key,
    paused: Boolean(clock.paused) || c.state === 'correction' || c.state === 'suspended',
    deadline: clock.deadline || '',
    limit: clock.limit_days,
    used: clock.used_days,
  };
}

const stateRank = (s) => {
  const i = OPEN_STATES.indexOf(s);
  return i < 0 ? 10 : i;
};

// Sorts a copy. 'urgency': open cases first, fewest remaining days first, then newest;
// 'newest' / 'oldest' by filing time; 'state' by the state's place in the lifecycle.
export function sortCases(cases, by = 'newest') {
  const list = [...(cases || [])];
  const filed = (c) => Date.parse(c.submitted_at || '') || 0;
  const remaining = (c) => {
    const info = clockInfo(c);
    if (info) return info.key.startsWith('overdue') ? -info.n : info.n;
    return OPEN_STATES.includes(c.state) ? 1e6 : 1e9;  // waiting for acceptance, then closed
  };
  const cmp = {
    newest: (a, b) => filed(b) - filed(a),
    oldest: (a, b) => filed(a) - filed(b),
    urgency: (a, b) => remaining(a) - remaining(b) || filed(b) - filed(a),
    state: (a, b) => stateRank(a.state) - stateRank(b.state) || filed(b) - filed(a),
  }[by] || ((a, b) => filed(b) - filed(a));
  return list.sort(cmp);
}

// "2026-11-23T09:00:00.000+08:00" → "2026-11-23" (the filing day in Beijing time as the server
// wrote it), with the time when asked.
export function formatInstant(iso, withTime = false) {
  if (!iso || typeof iso !== 'string') return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  if (!m) return iso;
  return withTime ? `${m[1]} ${m[2]}` : m[1];
}

// The latest correction request while the case waits for it: { opinion, items[], at } where items
// is the one-time list (一次性告知) split into lines; null when not in correction.
export function correctionNotice(c, transitions) {
  if (!c || c.state !== 'correction') return null;
  const list = transitions || [];
  for (let i = list.length - 1; i >= 0; i -= 1) {
    const t = list[i];
    if (t.action === 'request_correction') {
      return { opinion: t.opinion || '', items: splitList(t.opinion || ''), at: t.at };
    }
  }
  return { opinion: '', items: [], at: '' };
}

// "请补正：A；B、C\n1. D" → ['A', 'B', 'C', 'D']: officials write the list in one line or many.
export function splitList(text) {
  const body = String(text || '').replace(/^[^：:\n]{0,12}[：:]/, '');
  return body
    .split(/[\n；;、]+/)
    .map((s) => s.replace(/^\s*(\d+[.、）)]|[-*•])\s*/, '').trim())
    .filter(Boolean);
}

// The rating read back from the history ("case.rated"); the API returns no rating document, so
// only its comment and time are known after a reload.
export function ratingFromHistory(transitions) {
  const t = (transitions || []).find((x) => x.action === 'case.rated');
  return t ? { comment: t.opinion || '', at: t.at } : null;
}

export const canWithdraw = (c) => Boolean(c) && OPEN_STATES.includes(c.state);
export const canResubmit = (c) => Boolean(c) && c.state === 'correction';
export const canRate = (c) => Boolean(c) && c.state === 'completed';

// A 秒批 case comes back from filing already decided.
export const instantlyApproved = (c) => Boolean(c?.instant_rule) && ['granted', 'completed'].includes(c?.state);

// The role names the timeline shows (common roles of identity::Role plus applicants and the system).
export const ROLE_KEYS = ['citizen', 'business', 'clerk', 'reviewer', 'approver', 'supervisor', 'admin', 'system'];
export function roleKey(role) {
  return ROLE_KEYS.includes(role) ? role : 'other';
}

// Timeline action key: "submit", "accept", …, events by others ("case.rated", "case.alert_raised")
// lose their prefix.
export function actionKey(action) {
  const a = String(action || '').replace(/^case\./, '');
  return a || 'other';
}
