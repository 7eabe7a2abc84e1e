// Pure logic of the public board of answered appeals (Board.vue): the on-time rates as text and
// bar widths, the departments ranked, the paging query. No Vue here, so it is unit-tested.

// The on-time goal for answers, as for the cockpit's applications.
export const GOAL = 0.95;
export const PAGE_SIZE = 10;

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

// 0.9567 → "95.7"; 1 → "100.0"; null → null. One decimal, the same as the cockpit.
export function ratePercent(rate) {
  if (!isNum(rate)) return null;
  const clamped = Math.min(1, Math.max(0, rate));
  return (Math.round(clamped * 1000) / 10).toFixed(1);
}

// The rate a department shows: the server's, else computed from its counts.
export function rateOf(dept) {
  if (isNum(dept?.on_time_rate)) return dept.on_time_rate;
  const replied = dept?.replied ?? 0;
  return replied > 0 ? (dept.replied_on_time ?? 0) / replied : null;
}

// Departments with answers, best rate first; ties by more answers, then by name. Each row carries
// what the list shows: name, rate text, bar width (0–100) and whether the goal is met.
export function rankDepartments(departments, names = {}, goal = GOAL) {
  return (departments || [])
    .filter((d) => (d?.replied ?? 0) > 0)
    .map((d) => {
      const rate = rateOf(d);
      return {
        dept_id: d.dept_id,
        name: names[d.dept_id] || d.dept_name || d.dept_id,
        replied: d.replied ?? 0,
        onTime: d.replied_on_time ?? 0,
        rate,
        pct: ratePercent(rate),
        width: rate === null ? 0 : Math.round(Math.min(1, Math.max(0, rate)) * 1000) / 10,
        met: rate !== null && rate >= goal,
      };
    })
    .sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || b.replied - a.replied || a.name.localeCompare(b.name, 'zh-CN'));
}

export function pageCount(total, size = PAGE_SIZE) {
  return Math.max(1, Math.ceil((total || 0) / size));
}

// The query for page `page` (1-based) of the board, optionally of one department.
export function boardQuery(page, deptId = '', size = PAGE_SIZE) {
  const p = Math.max(1, Math.floor(page) || 1);
  const q = { limit: size, offset: (p - 1) * size };
  if (deptId) q.dept_id = deptId;
  return q;
}

// The date of an instant (dateOf): one helper for the board and the hot issues.
export { dateOf } from './hot-issues.js';

// GET /api/v1/departments → { id: name }.
export function namesOf(reply) {
  const out = {};
  for (const d of reply?.departments || []) out[d.id] = d.name;
  return out;
}
