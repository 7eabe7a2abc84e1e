// Routes and navigation of the grid area, 一网统管 (see CONVENTIONS.md, "Areas"). Officials read
// every grid event, so the pages are open to all officials; which steps a user may take is the
// server's decision (the event page offers only those). The header links go to those who work
// the grid: the centre (department "grid"), the supervisors' team ("jdy"), admins and 电子监察; other
// departments' staff get their grid task list.
// This file is loaded with the app's entry: it must not import Leaflet or the views.
const official = { auth: true, kinds: ['official'] };
const CENTRE = 'grid';
const SUPERVISORS = 'jdy';

export const routes = [
  { path: '/grid/map', name: 'grid-map', component: () => import('./views/GridMap.vue'), meta: { area: 'workbench', ...official } },
  { path: '/grid/report', name: 'grid-report', component: () => import('./views/Report.vue'), meta: { area: 'workbench', ...official } },
  { path: '/grid/events/:id', name: 'grid-event', component: () => import('./views/EventDetail.vue'), meta: { area: 'workbench', ...official } },
  { path: '/grid/indicators', name: 'grid-indicators', component: () => import('./views/Indicators.vue'), meta: { area: 'workbench', ...official } },
];

export function navLinks({ signedIn, isOfficial, user, t }) {
  if (!signedIn || !isOfficial) return [];
  const roles = user?.roles || [];
  const centre = user?.dept_id === CENTRE;
  const supervisor = user?.dept_id === SUPERVISORS;
  const overseer = roles.includes('admin') || roles.includes('supervisor');
  const links = [];
  if (centre || supervisor || overseer) links.push({ to: '/grid/map', label: t('grid.nav.map'), order: 17 });
  if (supervisor || centre) links.push({ to: '/grid/report', label: t('grid.nav.report'), order: 18 });
  if (centre || overseer) links.push({ to: '/grid/indicators', label: t('grid.nav.indicators'), order: 19 });
  // Professional departments handle dispatched grid events: their way in is their task list.
  if (!links.length && ['clerk', 'reviewer', 'approver'].some((r) => roles.includes(r))) {
    links.push({ to: '/grid/map?mine=1', label: t('grid.nav.tasks'), order: 19 });
  }
  return links;
}
