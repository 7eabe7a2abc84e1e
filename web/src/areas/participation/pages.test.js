// The survey and consultation pages mounted with a stubbed server: the form offers every kind of
// question, checks required answers before sending, sends the answers object the API wants, and
// the consultation page opens one comment form per clause.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createMemoryHistory, createRouter } from 'vue-router';
import { i18n } from '../../i18n.js';
import { setSession, clearSession } from '../../session.js';
import Survey from './views/Survey.vue';

// Element Plus's auto-imported styles are CSS files node cannot load; the pages need only markup.
vi.mock('element-plus/es/components/base/style/css', () => ({}));
vi.mock('element-plus/es/components/button/style/css', () => ({}));
import Consultation from './views/Consultation.vue';

const survey = {
  id: 'SV1', title: '养老服务调查', description: '', dept_id: 'mzj', state: 'open', closes_at: '2099-01-01T18:00:00.000+08:00',
  response_count: 0, responded: false,
  questions: [
    { id: 'q1', kind: 'single', text: '年龄段', options: ['60岁以下', '60岁及以上'], required: true },
    { id: 'q2', kind: 'multiple', text: '服务', options: ['助餐', '助浴'], required: false },
    { id: 'q3', kind: 'scale', text: '满意度', options: [], min: 1, max: 5, required: true },
    { id: 'q4', kind: 'text', text: '建议', options: [], required: false },
  ],
};
const consultation = {
  id: 'CS1', title: '停车办法', summary: '', dept_id: 'fgw', state: 'open', opens_at: null, closes_at: '2099-01-01T18:00:00.000+08:00',
  clause_count: 2, comment_count: 0, clauses: [{ number: '第一条', text: '甲', comment_count: 0 }, { number: '第二条', text: '乙', comment_count: 0 }], feedback: null,
};

function server(routes) {
  const calls = [];
  vi.stubGlobal('fetch', vi.fn(async (url, init = {}) => {
    const method = init.method || 'GET';
    calls.push({ method, url: String(url), body: init.body ? JSON.parse(init.body) : undefined });
    const key = `${method} ${String(url).split('?')[0]}`;
    const [status, body] = routes[key] || [404, { message_en: 'nope', message_zh: '无' }];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' } });
  }));
  return calls;
}

async function mountAt(component, path) {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/participate/surveys/:id', component: Survey },
    { path: '/participate/consultations/:id', component: Consultation },
    { path: '/:rest(.*)*', component: { template: '<div />' } },
  ] });
  router.push(path);
  await router.isReady();
  const wrapper = mount(component, { global: { plugins: [router, i18n] } });
  await flushPromises();
  return wrapper;
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearSession();
});

describe('survey page', () => {
  it('checks required answers, then sends the answers object', async () => {
    setSession('tok', { id: 'u1', kind: 'citizen', roles: [], display_name: '张三' });
    const calls = server({
      'GET /api/v1/departments': [200, { departments: [] }],
      'GET /api/v1/surveys/SV1': [200, survey],
      'POST /api/v1/surveys/SV1/responses': [201, { id: 'SR1', survey_id: 'SV1' }],
    });
    const w = await mountAt(Survey, '/participate/surveys/SV1');
    expect(w.findAll('[data-testid=question]')).toHaveLength(4);
    expect(w.findAll('[data-question=q3] input[type=radio]')).toHaveLength(5);

    await w.find('[data-testid=survey-form]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid=survey-error]').text()).toContain('1、3');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await w.find('[data-question=q1] input[value="60岁及以上"]').setValue(true);
    await w.find('[data-question=q2] input[value="助浴"]').setValue(true);
    await w.find('[data-question=q3] input[value="4"]').setValue(true);
    await w.find('[data-question=q4] textarea').setValue(' 多开几天 ');
    await w.find('[data-testid=survey-form]').trigger('submit');
    await flushPromises();
    const sent = calls.find((c) => c.method === 'POST');
    expect(sent.body).toEqual({ answers: { q1: '60岁及以上', q2: ['助浴'], q3: 4, q4: '多开几天' } });
    expect(w.find('[data-testid=survey-done]').exists()).toBe(true);
    expect(w.find('[data-testid=survey-form]').exists()).toBe(false);
  });

  it('marks the question a refused answer points at', async () => {
    setSession('tok', { id: 'u1', kind: 'citizen', roles: [], display_name: '张三' });
    server({
      'GET /api/v1/departments': [200, { departments: [] }],
      'GET /api/v1/surveys/SV1': [200, survey],
      'POST /api/v1/surveys/SV1/responses': [400, { field: '/answers/q3', message_zh: '应在 1 至 5 之间', message_en: 'must be within 1–5' }],
    });
    const w = await mountAt(Survey, '/participate/surveys/SV1');
    await w.find('[data-question=q1] input[value="60岁以下"]').setValue(true);
    await w.find('[data-question=q3] input[value="2"]').setValue(true);
    await w.find('[data-testid=survey-form]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-question=q3] fieldset').attributes('aria-invalid')).toBe('true');
    expect(w.find('[data-question=q3] [data-testid=question-error]').exists()).toBe(true);
  });

  it('offers no form to an official or after responding', async () => {
    setSession('tok', { id: 'o1', kind: 'official', roles: ['clerk'], dept_id: 'mzj' });
    server({ 'GET /api/v1/departments': [200, { departments: [] }], 'GET /api/v1/surveys/SV1': [200, survey] });
    let w = await mountAt(Survey, '/participate/surveys/SV1');
    expect(w.find('[data-testid=survey-form]').exists()).toBe(false);
    setSession('tok', { id: 'u1', kind: 'citizen', roles: [] });
    server({ 'GET /api/v1/departments': [200, { departments: [] }], 'GET /api/v1/surveys/SV1': [200, { ...survey, responded: true }] });
    w = await mountAt(Survey, '/participate/surveys/SV1');
    expect(w.find('[data-testid=survey-form]').exists()).toBe(false);
    expect(w.find('[data-testid=survey-already]').exists()).toBe(true);
  });
});

describe('consultation page', () => {
  it('opens one comment form per clause and sends the clause with the text', async () => {
    setSession('tok', { id: 'u1', kind: 'citizen', roles: [], display_name: '张三' });
    const calls = server({
      'GET /api/v1/departments': [200, { departments: [] }],
      'GET /api/v1/consultations/CS1': [200, consultation],
      'GET /api/v1/consultations/CS1/comments': [200, { comments: [] }],
      'POST /api/v1/consultations/CS1/comments': [201, { id: 'CM1' }],
    });
    const w = await mountAt(Consultation, '/participate/consultations/CS1');
    expect(w.findAll('[data-testid=clause]')).toHaveLength(2);
    expect(w.findAll('[data-testid=comment-form]')).toHaveLength(0);
    await w.find('[data-clause="第二条"] [data-testid=comment-toggle]').trigger('click');
    expect(w.findAll('[data-testid=comment-form]')).toHaveLength(1);
    await w.find('[data-testid=comment-form]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid=comment-error]').exists()).toBe(true);
    await w.find('[data-testid=comment-text]').setValue('延长免费时段');
    await w.find('[data-testid=comment-form]').trigger('submit');
    await flushPromises();
    expect(calls.find((c) => c.method === 'POST').body).toEqual({ clause: '第二条', text: '延长免费时段' });
    expect(w.find('[data-testid=comment-sent]').exists()).toBe(true);
  });

  it('shows the published feedback with every decision', async () => {
    server({
      'GET /api/v1/departments': [200, { departments: [] }],
      'GET /api/v1/consultations/CS1': [200, { ...consultation, state: 'concluded', feedback: { summary: '采纳 1 条', published_at: '2099-01-02T09:00:00+08:00' } }],
      'GET /api/v1/consultations/CS1/comments': [200, { comments: [
        { id: 'CM1', clause: '第一条', text: '好', author: '张*', mine: false, created_at: '2098-12-01T09:00:00+08:00', decision: { adopted: true, reason: '有道理', decided_at: '2099-01-02T08:00:00+08:00' } },
        { id: 'CM2', clause: '', text: '不好', author: '李*', mine: false, created_at: '2098-12-01T10:00:00+08:00', decision: { adopted: false, reason: '另有规定', decided_at: '2099-01-02T08:00:00+08:00' } },
      ] }],
    });
    const w = await mountAt(Consultation, '/participate/consultations/CS1');
    expect(w.find('[data-testid=feedback-summary]').text()).toBe('采纳 1 条');
    const shown = w.findAll('[data-testid=public-comment]');
    expect(shown).toHaveLength(2);
    expect(shown[0].text()).toContain('张*');
    expect(shown[0].text()).toContain('有道理');
    expect(shown[1].text()).toContain('另有规定');
    expect(w.findAll('[data-testid=comment-toggle]')).toHaveLength(0);
  });
});
