// Routes and navigation of the leadership cockpit (领导驾驶舱): a bare page that takes the whole
// screen (meta.bare; see CONVENTIONS.md, "Areas"). Its hot-issue page belongs to the board area.
export const routes = [
  {
    path: '/cockpit',
    name: 'cockpit',
    component: () => import('./views/Cockpit.vue'),
    meta: { area: 'cockpit', bare: true, auth: true, kinds: ['official'], roles: ['supervisor', 'admin'] },
  },
];

export function navLinks({ signedIn, isOfficial, hasRole, t }) {
  if (!signedIn || !isOfficial || !hasRole('supervisor', 'admin')) return [];
  return [{ to: '/cockpit', label: t('common.nav.cockpit'), order: 30 }];
}
