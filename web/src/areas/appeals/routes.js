// Routes and navigation of the appeals area (12345 诉求; see CONVENTIONS.md, "Areas").
// meta.roles cannot say "of the hotline department": the hotline pages check that themselves
// (appeals.js beside this file: isHotlineStaff / isCentreUser) and say so when it is not met.
import { isCentreUser, isHandlingOfficial, isHotlineStaff } from './appeals.js';

const applicant = { auth: true, kinds: ['citizen', 'business'] };
const official = { auth: true, kinds: ['official'] };

export const routes = [
  { path: '/appeals/new', name: 'appeal-new', component: () => import('./views/NewAppeal.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/appeals', name: 'my-appeals', component: () => import('./views/MyAppeals.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/appeals/:id', name: 'my-appeal', component: () => import('./views/MyAppeal.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/hotline/call', name: 'hotline-call', component: () => import('./views/HotlineCall.vue'), meta: { area: 'workbench', ...official, roles: ['clerk', 'reviewer'] } },
  { path: '/hotline/dispatch', name: 'hotline-dispatch', component: () => import('./views/Dispatch.vue'), meta: { area: 'workbench', ...official, roles: ['clerk', 'reviewer'] } },
  { path: '/hotline', name: 'hotline', component: () => import('./views/Centre.vue'), meta: { area: 'workbench', ...official, roles: ['clerk', 'reviewer', 'supervisor', 'admin'] } },
  { path: '/appeals/work', name: 'appeals-work', component: () => import('./views/Work.vue'), meta: { area: 'workbench', ...official, roles: ['clerk', 'reviewer', 'approver'] } },
  { path: '/appeals/work/:id', name: 'appeal-work', component: () => import('./views/WorkAppeal.vue'), meta: { area: 'workbench', ...official, roles: ['clerk', 'reviewer', 'approver', 'supervisor', 'admin'] } },
];

export function navLinks({ signedIn, isOfficial, user, t }) {
  if (!signedIn) return [];
  if (!isOfficial) {
    return [
      { to: '/appeals/new', label: t('appeals.nav.new'), order: 25 },
      { to: '/my/appeals', label: t('appeals.nav.mine'), order: 26 },
    ];
  }
  const links = [];
  if (isHotlineStaff(user)) {
    links.push({ to: '/hotline/call', label: t('appeals.nav.call'), order: 11 });
    links.push({ to: '/hotline/dispatch', label: t('appeals.nav.dispatch'), order: 12 });
  }
  if (isCentreUser(user)) links.push({ to: '/hotline', label: t('appeals.nav.centre'), order: 13 });
  if (isHandlingOfficial(user)) links.push({ to: '/appeals/work', label: t('appeals.nav.work'), order: 14 });
  return links;
}
