// Who administers what: the three administrators of 等保 level 3 are kept apart (三员分立).
// `admin` (系统管理员) runs the system: 事项, departments, the working calendar; `security_admin`
// (安全管理员) manages accounts and roles; `auditor` (审计管理员) reads and exports the audit trail.
// An account holds at most one of the three, and no one changes their own roles; the server
// enforces both, these helpers only decide what the pages offer. Loaded by routes.js with the
// app's entry, so nothing heavy here.

export const ADMIN_ROLES = ['admin', 'security_admin', 'auditor'];

// The administration's sections, in the order the overview and its navigation show them.
export const SECTIONS = [
  { key: 'items', to: '/admin/items', roles: ['admin'] },
  { key: 'users', to: '/admin/users', roles: ['security_admin'] },
  { key: 'departments', to: '/admin/departments', roles: ['admin'] },
  { key: 'calendar', to: '/admin/calendar', roles: ['admin'] },
  { key: 'audit', to: '/admin/audit', roles: ['auditor'] },
];

const rolesOf = (user) => (user && user.kind === 'official' ? user.roles || [] : []);

// The sections `user` may open (none for anyone but the three administrators).
export function sectionsFor(user) {
  const mine = rolesOf(user);
  return SECTIONS.filter((s) => s.roles.some((r) => mine.includes(r)));
}

// The roles a section's route admits (its meta.roles).
export function rolesFor(key) {
  return SECTIONS.find((s) => s.key === key)?.roles || [];
}

// Which of the three administrators `user` is: 'admin', 'security_admin', 'auditor' or ''. The
// first in ADMIN_ROLES wins should an older account still hold two.
export function adminRoleOf(user) {
  const mine = rolesOf(user);
  return ADMIN_ROLES.find((r) => mine.includes(r)) || '';
}

// Whether `viewer` may be offered to change `user`'s roles: officials only, and never their own.
export function mayEditRoles(viewer, user) {
  if (!viewer || !user || user.kind !== 'official') return false;
  return viewer.id !== user.id;
}

// The administrator roles among `roles`: more than one breaks the separation (the server refuses
// it; the roles dialog warns before sending).
export function adminRolesIn(roles) {
  return (roles || []).filter((r) => ADMIN_ROLES.includes(r));
}
