// Routes and navigation of the public answer board (公开答复) and the hot-issue page (热点问题);
// see CONVENTIONS.md, "Areas".
import { session, homeFor } from '../../session.js';
import { mayReadHotIssues } from './hot-issues.js';

// The hotline centre's staff are clerks or reviewers of department 12345, which meta.roles cannot
// say; the router's guard has already required an official by then.
export function hotIssuesGuard(user) {
  return mayReadHotIssues(user) || { path: homeFor(user), query: { denied: '1' } };
}

export const routes = [
  {
    path: '/appeals/board',
    name: 'appeals-board',
    component: () => import('./views/Board.vue'),
    meta: { area: 'portal' },
  },
  {
    path: '/cockpit/hot-issues',
    name: 'hot-issues',
    component: () => import('./views/HotIssues.vue'),
    meta: { area: 'cockpit', auth: true, kinds: ['official'] },
    beforeEnter: () => hotIssuesGuard(session.user),
  },
];

export function navLinks({ user, t }) {
  const links = [{ to: '/appeals/board', label: t('board.nav.board'), order: 60 }];
  if (mayReadHotIssues(user)) links.push({ to: '/cockpit/hot-issues', label: t('board.nav.hot'), order: 35 });
  return links;
}
