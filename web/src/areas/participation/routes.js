// Routes and navigation of the participation area: 意见征集 and 在线调查 (see CONVENTIONS.md,
// "Areas"). Reading is public; taking part needs a citizen or business account (the pages say so);
// managing is for department staff.
import { mayManage } from './participation.js';

const staff = { auth: true, kinds: ['official'], roles: ['clerk', 'reviewer', 'approver', 'admin'] };

export const routes = [
  { path: '/participate', name: 'participate', component: () => import('./views/Participate.vue'), meta: { area: 'portal' } },
  { path: '/participate/consultations/:id', name: 'consultation', component: () => import('./views/Consultation.vue'), meta: { area: 'portal' } },
  { path: '/participate/surveys/:id', name: 'survey', component: () => import('./views/Survey.vue'), meta: { area: 'portal' } },
  { path: '/participate/surveys/:id/results', name: 'survey-results', component: () => import('./views/SurveyResults.vue'), meta: { area: 'portal' } },
  { path: '/workbench/participation', name: 'participation-manage', component: () => import('./views/Manage.vue'), meta: { area: 'workbench', ...staff } },
];

export function navLinks({ isOfficial, user, t }) {
  const links = [];
  if (!isOfficial) links.push({ to: '/participate', label: t('participation.nav.participate'), order: 35 });
  if (mayManage(user)) links.push({ to: '/workbench/participation', label: t('participation.nav.manage'), order: 16 });
  return links;
}
