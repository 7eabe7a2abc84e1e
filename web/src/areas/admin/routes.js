// Routes and navigation of the administration (事项, users, departments, calendar; see
// CONVENTIONS.md, "Areas").
const admin = { auth: true, kinds: ['official'], roles: ['admin'] };

export const routes = [
  { path: '/admin', name: 'admin', component: () => import('./views/AdminHome.vue'), meta: { area: 'admin', ...admin } },
  { path: '/admin/items', name: 'admin-items', component: () => import('./views/Items.vue'), meta: { area: 'admin', ...admin } },
  { path: '/admin/items/:code', name: 'admin-item', component: () => import('./views/ItemEdit.vue'), meta: { area: 'admin', ...admin } },
  { path: '/admin/users', name: 'admin-users', component: () => import('./views/Users.vue'), meta: { area: 'admin', ...admin } },
  { path: '/admin/departments', name: 'admin-departments', component: () => import('./views/Departments.vue'), meta: { area: 'admin', ...admin } },
  { path: '/admin/calendar', name: 'admin-calendar', component: () => import('./views/Calendar.vue'), meta: { area: 'admin', ...admin } },
];

export function navLinks({ signedIn, isOfficial, hasRole, t }) {
  if (!signedIn || !isOfficial || !hasRole('admin')) return [];
  return [{ to: '/admin', label: t('common.nav.admin'), order: 50 }];
}
