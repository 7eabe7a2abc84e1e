// Routes. Every page is its own chunk, so the citizen path never loads the cockpit (ECharts) or
// the admin screens. meta.area picks the navigation; meta.auth / meta.kinds / meta.roles guard.
import { createRouter, createWebHistory } from 'vue-router';
import { session, homeFor } from './session.js';

// Every area registers its routes in src/areas/<area>/routes.js (see CONVENTIONS.md). vue-router
// ranks routes by how specific their path is, not by their place in the list, so the catch-all
// (the portal's not-found page) matches only what no other route does.
export const areaModules = import.meta.glob('./areas/*/routes.js', { eager: true });

export const routes = Object.keys(areaModules)
  .sort()
  .flatMap((k) => areaModules[k].routes || []);

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
