// Routes and navigation of the portal: the citizen and business service hall (办事大厅), signing in
// and registering, and the page for an unknown address (see CONVENTIONS.md, "Areas").
// vue-router ranks routes by how specific their path is, so the catch-all matches last wherever
// it stands in the list.
const applicant = { auth: true, kinds: ['citizen', 'business'] };

export const routes = [
  { path: '/', name: 'home', component: () => import('./views/Home.vue'), meta: { area: 'portal' } },
  { path: '/items/:code', name: 'item', component: () => import('./views/ItemGuide.vue'), meta: { area: 'portal' } },
  { path: '/apply/:code', name: 'apply', component: () => import('./views/Apply.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/cases', name: 'my-cases', component: () => import('./views/MyCases.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/cases/:id', name: 'my-case', component: () => import('./views/MyCase.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/account', name: 'account', component: () => import('./views/Account.vue'), meta: { area: 'portal', ...applicant } },
  { path: '/my/inbox', name: 'inbox', component: () => import('./views/Inbox.vue'), meta: { area: 'portal', auth: true } },
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { area: 'portal' } },
  { path: '/register', name: 'register', component: () => import('./views/Register.vue'), meta: { area: 'portal' } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { area: 'portal' } },
];

export function navLinks({ signedIn, isOfficial, t }) {
  if (!signedIn) return [{ to: '/', label: t('common.nav.services'), order: 10 }];
  if (isOfficial) return [];
  return [
    { to: '/', label: t('common.nav.services'), order: 10 },
    { to: '/my/cases', label: t('common.nav.myCases'), order: 20 },
    { to: '/my/inbox', label: t('common.nav.inbox'), order: 40 },
    { to: '/my/account', label: t('common.nav.account'), order: 50 },
  ];
}
