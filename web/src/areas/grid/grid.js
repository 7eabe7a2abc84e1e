// Logic of the grid pages (一网统管), kept free of Vue and Leaflet so it is unit-tested: state
// colours with their labels, the map's filters (what the API filters and what the page filters),
// the loop's timeline from the event's step records, who may take which action, and the
// indicator figures against the 95 % goal.

// The grid centre's department (grid::Options::center_dept_id). The API does not expose it; the
// demo and the default options use "grid".
export const CENTER_DEPT = 'grid';

// Every state has a colour AND a label key (grid.states.<state>) and a marker style: open events
// are filled discs, finished ones (closed, rejected) hollow rings, so the map does not rely on
// hue alone. Colours are dark enough for 4.5:1 on white and on the map's pale background.
export const STATES = ['reported', 'accepted', 'registered', 'dispatched', 'checking', 'checked', 'closed', 'rejected'];
const STATE_COLOURS = {
  reported: '#6f2dbd',
  accepted: '#1d4ed8',
  registered: '#0e6e7e',
  dispatched: '#a64b00',
  checking: '#7a5c00',
  checked: '#3b4cc0',
  closed: '#2b6a1f',
  rejected: '#525252',
};

export function isOpenState(state) {
  return state !== 'closed' && state !== 'rejected';
}

// {colour, labelKey, filled}: what the marker, the legend and the badge show for a state.
export function stateStyle(state) {
  const known = Object.prototype.hasOwnProperty.call(STATE_COLOURS, state);
  return {
    colour: known ? STATE_COLOURS[state] : '#333333',
    labelKey: known ? `grid.states.${state}` : 'grid.states.unknown',
    filled: isOpenState(state),
  };
}

// Leaflet path options for an event's circle marker.
export function markerOptions(state) {
  const s = stateStyle(state);
  return {
    radius: s.filled ? 6 : 5,
    color: s.colour,
    weight: 2,
    fillColor: s.colour,
    fillOpacity: s.filled ? 0.85 : 0.1,
  };
}

export const SOURCES = ['supervisor', 'public', 'sensor', 'hotline_12345', 'higher_level'];

// ---- Filters -----------------------------------------------------------------------------------

export function emptyFilters() {
  return { state: '', class_code: '', source: '', street: '', from: '', to: '' };
}

const DAY_MS = 24 * 3600 * 1000;
// A YYYY-MM-DD date as the China-time midnight that starts it (the server's day boundary).
export function chinaMidnight(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - 8 * 3600 * 1000;
}

// The filters as the API's query, and `matches` for events already fetched (the map keeps its
// list when a filter narrows it). `to` is inclusive, as in the indicators' period.
export function buildFilters(f) {
  const query = {};
  if (f.state) query.state = f.state;
  if (f.class_code) query.class = f.class_code;
  if (f.street) query.street = f.street;
  if (f.source) query.source = f.source;
  if (chinaMidnight(f.from) !== null) query.from = f.from;
  if (chinaMidnight(f.to) !== null) query.to = f.to;
  const from = chinaMidnight(f.from);
  const toStart = chinaMidnight(f.to);
  const to = toStart === null ? null : toStart + DAY_MS;
  const source = f.source || '';
  const matches = (e) => {
    if (f.state && e.state !== f.state) return false;
    if (f.class_code && e.class_code !== f.class_code) return false;
    if (f.street && e.where?.street_code !== f.street) return false;
    if (source && e.source !== source) return false;
    if (from !== null || to !== null) {
      const at = Date.parse(e.reported_at);
      if (Number.isNaN(at)) return false;
      if (from !== null && at < from) return false;
      if (to !== null && at >= to) return false;
    }
    return true;
  };
  return { query, matches };
}

// The filters as URL query (so a filtered map can be bookmarked) and back.
export function filtersToQuery(f) {
  const q = {};
  for (const [k, v] of Object.entries(f)) if (v) q[k] = v;
  return q;
}
export function filtersFromQuery(q) {
  const f = emptyFilters();
  for (const k of Object.keys(f)) if (typeof q?.[k] === 'string') f[k] = q[k];
  return f;
}

// Open events per cell code.
export function openCountByCell(events) {
  const out = {};
  for (const e of events) {
    if (!isOpenState(e.state)) continue;
    const c = e.where?.cell_code;
    if (c) out[c] = (out[c] || 0) + 1;
  }
  return out;
}

// The streets of a cell list, in code order: [{code, name}].
export function streetsOf(features) {
  const seen = new Map();
  for (const f of features || []) {
    const p = f.properties || {};
    if (p.street_code && !seen.has(p.street_code)) seen.set(p.street_code, p.street_name || p.street_code);
  }
  return [...seen.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([code, name]) => ({ code, name }));
}

// Fill colours of cells: by street (a fixed palette with the street named in the legend and the
// cell's label) or by open events (five classes; the count is in the label too).
const STREET_FILLS = ['#cfe3f7', '#f7dfc5', '#d6efd0', '#ead7f2', '#f6f0bf', '#cde9e6'];
export function streetFill(index) {
  return STREET_FILLS[index % STREET_FILLS.length];
}
export const LOAD_CLASSES = [
  { min: 0, max: 0, fill: '#f4f6f8' },
  { min: 1, max: 2, fill: '#fde7c8' },
  { min: 3, max: 5, fill: '#f9c48a' },
  { min: 6, max: 9, fill: '#ef9a5a' },
  { min: 10, max: Infinity, fill: '#d9653b' },
];
export function loadClass(count) {
  return LOAD_CLASSES.findIndex((c) => count >= c.min && count <= c.max);
}

// The classes as a two-level tree for the picker: [{code, name, children: [{code, name, class}]}].
export function classTree(items, kind = 'event') {
  const majors = new Map();
  for (const c of items || []) {
    if (c.kind !== kind) continue;
    if (!majors.has(c.major_code)) majors.set(c.major_code, { code: c.major_code, name: c.major_name, children: [] });
    majors.get(c.major_code).children.push({ code: c.code, name: c.minor_name, dept_id: c.dept_id });
  }
  const tree = [...majors.values()].sort((a, b) => a.code.localeCompare(b.code));
  for (const m of tree) m.children.sort((a, b) => a.code.localeCompare(b.code));
  return tree;
}

// ---- The loop's timeline -----------------------------------------------------------------------

// The seven steps of GB/T 30428's loop and the step record (if any) that times each.
export const LOOP = [
  { key: 'report', record: null },
  { key: 'register', record: 'register' },
  { key: 'dispatch', record: 'dispatch' },
  { key: 'dispose', record: 'dispose' },
  { key: 'feedback', record: null },
  { key: 'check', record: 'check' },
  { key: 'close', record: 'close' },
];

export function alertOf(usedMin, limitMin, yellowRatio = 0.8) {
  if (!(limitMin > 0)) return 'none';
  if (usedMin > limitMin) return 'red';
  if (usedMin >= limitMin * yellowRatio) return 'yellow';
  return 'none';
}

// Entries in time order, one per step record plus 信息采集 and 反馈 (the end of a 处置 by the
// department's feedback): {key, round, at, endedAt, actor, dept, usedMin, limitMin, alert,
// outcome, current}. A step repeated (返工, 退回重派) gives one entry per round. Then `phases`:
// the seven steps with done / current / pending, for the stepper above the entries.
export function buildTimeline(event, steps) {
  const entries = [
    {
      key: 'report',
      round: 1,
      at: event.reported_at,
      endedAt: event.reported_at,
      actor: event.reporter_user_id || '',
      source: event.source,
      dept: '',
      usedMin: null,
      limitMin: null,
      alert: 'none',
      outcome: 'done',
      current: false,
    },
  ];
  const rounds = {};
  const ordered = [...(steps || [])].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  for (const s of ordered) {
    rounds[s.step] = (rounds[s.step] || 0) + 1;
    const open = !s.ended_at;
    let usedMin = s.used_min;
    let alert = alertOf(s.used_min, s.limit_min);
    // The open step's reading is the server's, computed when read.
    if (open && event.clock && event.clock.step === s.step) {
      usedMin = event.clock.used_min;
      alert = event.clock.alert || alertOf(usedMin, s.limit_min);
    }
    entries.push({
      key: s.step,
      round: rounds[s.step],
      at: s.started_at,
      endedAt: s.ended_at || null,
      actor: s.actor_user_id || '',
      actorName: s.actor_name || '',
      dept: s.dept_id,
      usedMin,
      limitMin: s.limit_min,
      alert,
      outcome: s.outcome || '',
      current: open,
    });
    if (s.step === 'dispose' && s.outcome === 'done') {
      entries.push({
        key: 'feedback',
        round: rounds[s.step],
        at: s.ended_at,
        endedAt: s.ended_at,
        actor: s.actor_user_id || '',
        actorName: s.actor_name || '',
        dept: s.dept_id,
        usedMin: null,
        limitMin: null,
        alert: 'none',
        outcome: 'done',
        current: false,
      });
    }
  }
  const doneKeys = new Set(entries.filter((e) => e.endedAt && e.outcome === 'done').map((e) => e.key));
  const currentKey = entries.find((e) => e.current)?.key || '';
  const phases = LOOP.map(({ key }) => {
    let status = 'pending';
    if (key === currentKey) status = 'current';
    else if (doneKeys.has(key)) status = 'done';
    return { key, status };
  });
  if (event.state === 'rejected') {
    const r = phases.find((p) => p.key === 'register');
    r.status = 'rejected';
  }
  return { entries, phases };
}

// ---- Who may do what ---------------------------------------------------------------------------

const roleOf = (user, r) => (user?.roles || []).includes(r);
const centre = (user, r) => user?.kind === 'official' && user.dept_id === CENTER_DEPT && roleOf(user, r);
const deptOfficial = (user, dept) =>
  user?.kind === 'official' && Boolean(dept) && user.dept_id === dept && ['clerk', 'reviewer', 'approver'].some((r) => roleOf(user, r));

// The actions of src/grid/service.cpp the user may take on the event now, in the order the page
// shows them. `supervisors`: usernames listed on the event's cell (for 核查).
export function availableActions(event, user, supervisors = []) {
  if (!event || !user) return [];
  const out = [];
  switch (event.state) {
    case 'reported':
      if (centre(user, 'clerk')) out.push('accept', 'reject');
      else if (centre(user, 'approver')) out.push('reject');
      break;
    case 'accepted':
      if (centre(user, 'approver')) out.push('register', 'reject');
      break;
    case 'registered':
      if (centre(user, 'reviewer')) out.push('dispatch');
      break;
    case 'dispatched':
      if (deptOfficial(user, event.dept_id)) out.push('feedback', 'send_back');
      break;
    case 'checking':
      if (user.kind === 'official' && supervisors.includes(user.username)) out.push('check');
      break;
    case 'checked':
      if (centre(user, 'approver')) out.push('close');
      break;
    case 'closed':
      if (centre(user, 'approver') && (event.evaluation === null || event.evaluation === undefined)) out.push('evaluate');
      break;
    default:
      break;
  }
  return out;
}

// The request body of an action from the page's form; an error key when something is missing.
export function actionBody(action, form, event) {
  const body = { action, expected_revision: event.revision };
  const text = (s) => (s || '').trim();
  switch (action) {
    case 'accept':
      if (form.class_code && form.class_code !== event.class_code) body.class_code = form.class_code;
      break;
    case 'reject':
    case 'send_back':
      if (!text(form.reason)) return { error: 'reasonRequired' };
      body.reason = text(form.reason);
      break;
    case 'dispatch':
      if (!form.dept_id) return { error: 'deptRequired' };
      body.dept_id = form.dept_id;
      break;
    case 'feedback':
      if (!text(form.feedback)) return { error: 'feedbackRequired' };
      body.feedback = text(form.feedback);
      if (form.photos?.length) body.photos = form.photos;
      break;
    case 'check':
      if (form.passed !== true && form.passed !== false) return { error: 'passedRequired' };
      body.passed = form.passed;
      if (!form.passed) {
        if (!text(form.reason)) return { error: 'reasonRequired' };
        body.reason = text(form.reason);
      }
      if (form.photos?.length) body.photos = form.photos;
      break;
    case 'evaluate':
      if (!(form.level >= 1 && form.level <= 5)) return { error: 'levelRequired' };
      body.level = form.level;
      if (text(form.reason)) body.reason = text(form.reason);
      break;
    default:
      break;
  }
  return { body };
}

// Cells a user supervises (监督员): their usernames are listed on the cell.
export function supervisedCells(features, username) {
  if (!username) return [];
  return (features || []).filter((f) => (f.properties?.supervisors || []).includes(username)).map((f) => f.properties.code);
}

// ---- Indicators --------------------------------------------------------------------------------

// A rate in [0,1] as "97.5%" (one decimal), "—" when there is nothing to rate.
export function formatRate(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return `${(Math.round(v * 1000) / 10).toFixed(1)}%`;
}

// Working minutes as "2 h 05 min"-style parts for the i18n message: {h, m}.
export function minutesParts(min) {
  const total = Math.round(Math.abs(min || 0));
  return { h: Math.floor(total / 60), m: total % 60, negative: (min || 0) < 0 };
}

// 'meets' / 'below' / 'none' for a rate against the goal (the page prints it in words).
export function goalMark(rate, goal = 0.95) {
  if (rate === null || rate === undefined) return 'none';
  return rate >= goal ? 'meets' : 'below';
}

// The period of the indicators: the last `days` days up to `today` (YYYY-MM-DD, China time).
export function chinaToday(now = Date.now()) {
  return new Date(now + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
export function periodEndingToday(days, now = Date.now()) {
  const to = chinaToday(now);
  const from = new Date(chinaMidnight(to) + 8 * 3600 * 1000 - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}
