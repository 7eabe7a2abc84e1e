// Workbench logic kept out of the pages so Vitest can check it on plain values: urgency order of
// the queue, which workflow actions the signed-in official may take (the client's mirror of
// src/cases/workflow.cpp, used only to decide which buttons to show — the server still decides),
// the one-time correction list, and the joint-approval status of a step.

const ALERT_RANK = { red: 0, yellow: 1 };

export function alertOf(c) {
  const a = c?.clock?.alert;
  return a === 'red' || a === 'yellow' ? a : 'none';
}

export function remainingOf(c) {
  const r = c?.clock?.remaining_days;
  return typeof r === 'number' ? r : null;
}

// Red first, then yellow, then fewest remaining working days (cases whose clock has not started
// — not yet accepted — after those with a clock), then the longest waiting.
export function compareUrgency(a, b) {
  const ra = ALERT_RANK[alertOf(a)] ?? 2;
  const rb = ALERT_RANK[alertOf(b)] ?? 2;
  if (ra !== rb) return ra - rb;
  const da = remainingOf(a);
  const db = remainingOf(b);
  if (da !== db) {
    if (da === null) return 1;
    if (db === null) return -1;
    return da - db;
  }
  const sa = a?.submitted_at || '';
  const sb = b?.submitted_at || '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return String(a?.id || '').localeCompare(String(b?.id || ''));
}

export function sortByUrgency(cases) {
  return [...(cases || [])].sort(compareUrgency);
}

// Case-insensitive match of the search box against number, item, applicant and item code.
export function matchesSearch(c, text) {
  const q = String(text || '').trim().toLowerCase();
  if (!q) return true;
  const fields = [c?.id, c?.item_name, c?.item_code, c?.applicant?.name];
  return fields.some((f) => String(f || '').toLowerCase().includes(q));
}

export function currentStep(c) {
  const i = c?.current_step;
  if (typeof i !== 'number' || i < 0 || !Array.isArray(c?.steps) || i >= c.steps.length) return null;
  return c.steps[i];
}

function isOfficial(user) {
  return user?.kind === 'official';
}

function has(user, role) {
  return (user?.roles || []).includes(role);
}

function isItemClerk(c, user) {
  return isOfficial(user) && has(user, 'clerk') && Boolean(user.dept_id) && user.dept_id === c.dept_id;
}

function isStepActor(step, user) {
  return Boolean(step) && isOfficial(user) && (step.dept_ids || []).includes(user.dept_id) && has(user, step.role);
}

export function answeredBy(step, deptId) {
  return (step?.approvals || []).some((a) => a.dept_id === deptId);
}

// The actions `user` may take on `c` now, in the order the panel shows them.
export function allowedActions(c, user) {
  if (!c || !isOfficial(user)) return [];
  const step = currentStep(c);
  const out = [];
  switch (c.state) {
    case 'submitted':
      if (isItemClerk(c, user)) out.push('accept', 'reject', 'request_correction');
      break;
    case 'in_review':
      if (!isStepActor(step, user)) break;
      if (step.kind === 'review' && !answeredBy(step, user.dept_id)) out.push('approve', 'disapprove');
      if (step.kind === 'decide') out.push('grant', 'deny');
      out.push('request_correction', 'suspend');
      break;
    case 'suspended':
      if (isStepActor(step, user)) out.push('resume');
      break;
    case 'granted':
    case 'denied':
      if (isItemClerk(c, user)) out.push('complete');
      break;
    default:
      break;
  }
  return out;
}

// What each action's form asks for. `opinion`: 'required' | 'optional'.
export const ACTION_INPUTS = {
  accept: { opinion: 'optional' },
  reject: { opinion: 'required' },
  request_correction: { opinion: 'required', correction: true },
  approve: { opinion: 'optional' },
  disapprove: { opinion: 'required' },
  grant: { opinion: 'optional' },
  deny: { opinion: 'required' },
  complete: { opinion: 'optional' },
  suspend: { opinion: 'required', procedure: true },
  resume: { opinion: 'optional' },
};

export const PROCEDURES = ['hearing', 'expert_review', 'extension', 'on_site_inspection'];

// The one-time correction notice (一次性告知): the checked materials, numbered, then the free
// text. `labels` gives the words in the official's language: { heading, other }.
export function buildCorrectionOpinion(missing, note, labels = {}) {
  const heading = labels.heading ?? '请一次性补正以下材料：';
  const other = labels.other ?? '其他：';
  const names = [...new Set((missing || []).map((m) => String(m).trim()).filter(Boolean))];
  const extra = String(note || '').trim();
  const lines = [];
  if (names.length) {
    lines.push(heading);
    names.forEach((n, i) => lines.push(`${i + 1}. ${n}`));
  }
  if (extra) lines.push(names.length ? `${other}${extra}` : extra);
  return lines.join('\n');
}

// The request body for an action from the panel's inputs; returns { body } or { error } where
// error names the missing input ('opinion', 'procedure', 'correction').
export function buildActionBody(action, inputs = {}, labels = {}) {
  const spec = ACTION_INPUTS[action];
  if (!spec) return { error: 'action' };
  let opinion = String(inputs.opinion || '').trim();
  if (spec.correction) {
    opinion = buildCorrectionOpinion(inputs.missing, inputs.opinion, labels);
    if (!opinion) return { error: 'correction' };
  }
  if (spec.opinion === 'required' && !opinion) return { error: 'opinion' };
  const body = { action };
  if (opinion) body.opinion = opinion;
  if (spec.procedure) {
    if (!PROCEDURES.includes(inputs.procedure)) return { error: 'procedure' };
    body.procedure = inputs.procedure;
  }
  if (typeof inputs.revision === 'number') body.expected_revision = inputs.revision;
  return { body };
}

// Per department of a step: 'approved' | 'disapproved' | 'waiting' (or 'skipped'/'pending' when
// the step is not reached), with the approval when there is one.
export function jointStatus(step) {
  return (step?.dept_ids || []).map((dept) => {
    const approval = (step.approvals || []).find((a) => a.dept_id === dept) || null;
    let status;
    if (approval) status = approval.verdict === 'disapproved' ? 'disapproved' : 'approved';
    else if (step.status === 'active') status = 'waiting';
    else if (step.status === 'skipped') status = 'skipped';
    else if (step.status === 'done') status = 'not_needed';
    else status = 'pending';
    return { dept_id: dept, status, approval };
  });
}

// "2026-11-23T12:32:32.402+08:00" → "2026-11-23 12:32" (the server's own offset, as written).
export function shortTime(text) {
  if (!text) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(String(text));
  return m ? `${m[1]} ${m[2]}` : String(text);
}

// Share 0..1 as a percentage text; '—' when there is nothing to divide.
export function percent(part, whole) {
  if (!whole) return '—';
  return `${Math.round((part / whole) * 1000) / 10}%`;
}

// Who may close a rectification (mirrors ratings.cpp): admins, or the department's approvers
// and supervisors.
export function mayCloseRectification(r, user) {
  if (!r || r.status !== 'open' || user?.kind !== 'official') return false;
  if (has(user, 'admin')) return true;
  return user.dept_id === r.dept_id && (has(user, 'approver') || has(user, 'supervisor'));
}

// The text of a clock reading: { key, n, level } for the remaining-time badge, where key is a
// workbench.queue.* message.
export function remainingText(clock) {
  if (!clock) return { key: 'notStarted', n: 0, level: 'none' };
  const level = clock.alert === 'red' || clock.alert === 'yellow' ? clock.alert : 'none';
  const r = clock.remaining_days;
  const natural = Boolean(clock.natural_days);
  if (r < 0) return { key: natural ? 'overdueNatural' : 'overdue', n: -r, level };
  if (r === 0) return { key: 'dueToday', n: 0, level };
  return { key: natural ? 'remainingNatural' : 'remaining', n: r, level };
}
