// Routes. Every page is its own chunk, so the citizen path never loads the cockpit (ECharts) or
// the admin screens. meta.area picks the navigation; meta.auth / meta.kinds / meta.roles guard.
import { createRouter, createWebHistory } from 'vue-router';
import { session, homeFor } from './session.js';

// Feature areas register their own routes (src/routes/<area>.js), before the catch-all.
const areaModules = import.meta.glob('./routes/*.js', { eager: true });
const areaRoutes = Object.keys(areaModules).sort().flatMap((k) => areaModules[k].routes || []);

const applicant = { auth: true, kinds: ['citizen', 'business'] };
const official = { auth: true, kinds: ['official'] };

export const routes = [
  { path: '/', name: 'home', component: () => import('./views/portal/Home.vue'), meta: { area: 'portal' } },
  { path: '/items/:code', name: 'item', component: () => import('./views/portal/ItemGuide.vue'), meta: { area: 'portal' } },
  { path: '/apply/:code', name: 'apply', component: () => import('./views/portal/Apply.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/cases', name: 'my-cases', component: () => import('./views/portal/MyCases.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/cases/:id', name: 'my-case', component: () => import('./views/portal/MyCase.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/inbox', name: 'inbox', component: () => import('./views/portal/Inbox.vue'), meta: { area: 'portal', auth: true } },
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { area: 'portal' } },
  { path: '/register', name: 'register', component: () => import('./views/portal/Register.vue'), meta: { area: 'portal' } },
  { path: '/workbench', name: 'queue', component: () => import('./views/workbench/Queue.vue'), meta: { area: 'workbench', ...official } },
  { path: '/workbench/cases/:id', name: 'work-case', component: () => import('./views/workbench/CaseWork.vue'), meta: { area: 'workbench', ...official } },
  { path: '/workbench/supervision', name: 'supervision', component: () => import('./views/workbench/Supervision.vue'), meta: { area: 'workbench', ...official, roles: ['supervisor', 'admin'] } },
  { path: '/admin', name: 'admin', component: () => import('./views/admin/AdminHome.vue'), meta: { area: 'admin', ...official, roles: ['admin'] } },
  { path: '/admin/items', name: 'admin-items', component: () => import('./views/admin/Items.vue'), meta: { area: 'admin', ...official, roles: ['admin'] } },
  { path: '/admin/items/:code', name: 'admin-item', component: () => import('./views/admin/ItemEdit.vue'), meta: { area: 'admin', ...official, roles: ['admin'] } },
  { path: '/admin/users', name: 'admin-users', component: () => import('./views/admin/Users.vue'), meta: { area: 'admin', ...official, roles: ['admin'] } },
  { path: '/admin/departments', name: 'admin-departments', component: () => import('./views/admin/Departments.vue'), meta: { area: 'admin', ...official, roles: ['admin'] } },
  { path: '/admin/calendar', name: 'admin-calendar', component: () => import('./views/admin/Calendar.vue'), meta: { area: 'admin', ...official, roles: ['admin'] } },
  { path: '/cockpit', name: 'cockpit', component: () => import('./views/cockpit/Cockpit.vue'), meta: { area: 'cockpit', bare: true, ...official, roles: ['supervisor', 'admin'] } },
  ...areaRoutes,
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { area: 'portal' } },
];

// The guard's decision, separate from the router so unit tests can call it.
export function guard(to, user) {
  const meta = to.meta || {};
  if (!meta.auth) return true;
  if (!user) return { name: 'login', query: { next: to.fullPath } };
  if (meta.kinds && !meta.kinds.includes(user.kind)) return { path: homeFor(user), query: { denied: '1' } };
  if (meta.roles && !meta.roles.some((r) => (user.roles || []).includes(r))) {
    return { path: homeFor(user), query: { denied: '1' } };
  }
  return true;
}

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach((to) => guard(to, session.token ? session.user : null));
