import { describe, expect, it } from 'vitest';
import { TITLE_CHARS, appealHref, consultBody, consultTitle, idempotencyKey, keepPending, receiptOf, signInRoute, takePending } from './consult.js';

describe('consult hand-off', () => {
  it('cuts the title at 30 code points', () => {
    const q = '请问'.repeat(20);
    expect(consultTitle(q)).toBe(q.slice(0, 30));
    expect(Array.from(consultTitle(q)).length).toBe(TITLE_CHARS);
    // 𠮷 and 😀 are two UTF-16 units each: a cut by code units would split the 15th one.
    const wide = '𠮷'.repeat(40);
    expect(consultTitle(wide)).toBe('𠮷'.repeat(30));
    expect(consultTitle('😀'.repeat(31)).length).toBe(60);
    expect(consultTitle('短问题')).toBe('短问题');
  });
  it('makes the title one line without edge spaces', () => {
    expect(consultTitle('  社保卡\n丢了  怎么补办？ ')).toBe('社保卡 丢了 怎么补办？');
    expect(consultTitle(`${'一'.repeat(29)} 二三`)).toBe('一'.repeat(29));
  });
  it('files a web consult with the whole question as text', () => {
    const q = ` ${'公积金'.repeat(15)} `;
    expect(consultBody(q)).toEqual({ channel: 'web', type: 'consult', title: '公积金'.repeat(10), text: '公积金'.repeat(15) });
  });
  it('shows the receipt of a new, merged or replayed appeal', () => {
    expect(receiptOf({ id: 'A20261123000001', merged: false })).toEqual({ id: 'A20261123000001', merged: false, href: '/my/appeals/A20261123000001' });
    expect(receiptOf({ id: 'A1', merged: true }).merged).toBe(true);
    expect(receiptOf({ appeal_id: 'A2' }).href).toBe('/my/appeals/A2');
    expect(receiptOf({})).toBeNull();
    expect(appealHref('a/b')).toBe('/my/appeals/a%2Fb');
  });
  it('sends the visitor to sign in and back, keeping the question once', () => {
    expect(signInRoute('/?x=1')).toEqual({ name: 'login', query: { next: '/?x=1' } });
    const store = new Map();
    const storage = { setItem: (k, v) => store.set(k, v), getItem: (k) => store.get(k) ?? null, removeItem: (k) => store.delete(k) };
    keepPending('医保怎么转移？', storage);
    expect(takePending(storage)).toBe('医保怎么转移？');
    expect(takePending(storage)).toBe('');
  });
  it('uses a fresh idempotency key each time', () => {
    const a = idempotencyKey();
    expect(a).toMatch(/^consult-/);
    expect(a.length).toBeLessThanOrEqual(100);
    expect(idempotencyKey()).not.toBe(a);
  });
});
