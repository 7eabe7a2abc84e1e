// Routes and navigation of the administration (see CONVENTIONS.md, "Areas"), split among the three
// administrators (三员分立, sections.js): 事项, departments and the calendar for the system
// administrator, users for the security administrator, the audit trail for the audit
// administrator; the overview for all three, showing each only their own sections.
import { ADMIN_ROLES, adminRoleOf, rolesFor } from './sections.js';

const official = { auth: true, kinds: ['official'] };
const page = (roles) => ({ area: 'admin', ...official, roles });

export const routes = [
  { path: '/admin', name: 'admin', component: () => import('./views/AdminHome.vue'), meta: page(ADMIN_ROLES) },
  { path: '/admin/items', name: 'admin-items', component: () => import('./views/Items.vue'), meta: page(rolesFor('items')) },
  { path: '/admin/items/:code', name: 'admin-item', component: () => import('./views/ItemEdit.vue'), meta: page(rolesFor('items')) },
  { path: '/admin/users', name: 'admin-users', component: () => import('./views/Users.vue'), meta: page(rolesFor('users')) },
  { path: '/admin/departments', name: 'admin-departments', component: () => import('./views/Departments.vue'), meta: page(rolesFor('departments')) },
  { path: '/admin/calendar', name: 'admin-calendar', component: () => import('./views/Calendar.vue'), meta: page(rolesFor('calendar')) },
  { path: '/admin/audit', name: 'admin-audit', component: () => import('./views/Audit.vue'), meta: page(rolesFor('audit')) },
];

// One header link for whichever administrator signed in, named after their job.
const NAV_LABEL = { admin: 'common.nav.admin', security_admin: 'common.nav.security', auditor: 'common.nav.audit' };

export function navLinks({ signedIn, isOfficial, user, t }) {
  if (!signedIn || !isOfficial) return [];
  const role = adminRoleOf(user);
  return role ? [{ to: '/admin', label: t(NAV_LABEL[role]), order: 50 }] : [];
}
