// Routes and navigation of 公开审核 (publication review; see CONVENTIONS.md, "Areas"): the texts
// the public surfaces withheld, waiting for an official of the department that owns the matter.
// Only the working roles review, and only their own department's texts (the server's rule,
// src/disclosure/disclosure.h may_review). Loaded with the app's entry: imports no view.
export const REVIEW_ROLES = ['clerk', 'reviewer', 'approver'];

export const routes = [
  {
    path: '/workbench/disclosure',
    name: 'disclosure',
    component: () => import('./views/Disclosure.vue'),
    meta: { area: 'workbench', auth: true, kinds: ['official'], roles: REVIEW_ROLES },
  },
];

// Beside the work queue (10) and before 电子监察 (20).
export function navLinks({ signedIn, isOfficial, hasRole, t }) {
  if (!signedIn || !isOfficial || !hasRole(...REVIEW_ROLES)) return [];
  return [{ to: '/workbench/disclosure', label: t('disclosure.nav'), order: 15 }];
}
