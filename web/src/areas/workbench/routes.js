// Routes and navigation of the officials' workbench (办件) and 电子监察 (see CONVENTIONS.md, "Areas").
const official = { auth: true, kinds: ['official'] };

export const routes = [
  { path: '/workbench', name: 'queue', component: () => import('./views/Queue.vue'), meta: { area: 'workbench', ...official } },
  { path: '/workbench/cases/:id', name: 'work-case', component: () => import('./views/CaseWork.vue'), meta: { area: 'workbench', ...official } },
  { path: '/workbench/supervision', name: 'supervision', component: () => import('./views/Supervision.vue'), meta: { area: 'workbench', ...official, roles: ['supervisor', 'admin'] } },
];

export function navLinks({ signedIn, isOfficial, hasRole, t }) {
  if (!signedIn || !isOfficial) return [];
  const links = [];
  if (hasRole('clerk', 'reviewer', 'approver')) links.push({ to: '/workbench', label: t('common.nav.queue'), order: 10 });
  if (hasRole('supervisor', 'admin')) links.push({ to: '/workbench/supervision', label: t('common.nav.supervision'), order: 20 });
  return links;
}
