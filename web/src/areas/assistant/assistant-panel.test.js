import { describe, expect, it } from 'vitest';
import strings from '../../locales/assistant.js';
import { answerRef, askBody, feedbackBody, questionProblem, sourceHref, toTurn } from './assistant-panel.js';

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

const reply = {
  answer: '【食品经营许可（新办）】…',
  sources: [
    { kind: 'item', ref: '11329900MB0201002000', title: '食品经营许可（新办）', snippet: '…', link: '/items/11329900MB0201002000' },
    { kind: 'document', ref: 'doc_1#3', title: '数字政府白皮书', snippet: '…' },
  ],
  confidence: 0.87,
  handoff: false,
  context: { kind: 'item', ref: '11329900MB0201002000' },
};

describe('assistant panel', () => {
  it('rejects empty and over-long questions before sending', () => {
    expect(questionProblem('  ')).toBe('assistant.errors.empty');
    expect(questionProblem('办'.repeat(301))).toBe('assistant.errors.tooLong');
    expect(questionProblem('办'.repeat(300))).toBeNull();
  });
  it('sends the previous answer context for follow-ups', () => {
    expect(askBody(' 需要带什么材料？ ', null)).toEqual({ question: '需要带什么材料？' });
    const turn = toTurn('开饭馆', reply);
    expect(askBody('需要带什么材料？', turn)).toEqual({
      question: '需要带什么材料？',
      context: { kind: 'item', ref: '11329900MB0201002000' },
    });
  });
  it('links item sources to their guide and leaves documents unlinked', () => {
    const turn = toTurn('开饭馆', reply);
    expect(turn.sources[0].href).toBe('/items/11329900MB0201002000');
    expect(turn.sources[1].href).toBeNull();
    expect(sourceHref({ kind: 'item', ref: 'A B' })).toBe('/items/A%20B');
  });
  it('keeps handoff and its contact', () => {
    const turn = toTurn('今天天气', { answer: '抱歉', sources: [], confidence: 0.2, handoff: true,
      handoff_contact: { name: '12345政务服务便民热线', phone: '12345' } });
    expect(turn.handoff).toBe(true);
    expect(turn.contact.phone).toBe('12345');
    expect(answerRef(turn)).toBe('handoff');
  });
  it('builds the feedback body from the first source', () => {
    const turn = toTurn('开饭馆', reply);
    expect(feedbackBody(turn, false)).toEqual({ question: '开饭馆', answer_ref: 'item:11329900MB0201002000', useful: false });
  });
  it('has every Chinese string in English', () => {
    expect(keys(strings.en).sort()).toEqual(keys(strings.zh).sort());
  });
});
