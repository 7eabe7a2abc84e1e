// The Q&A assistant's hand-off to 12345 (AssistantPanel.vue): the consult appeal a question
// becomes, the receipt link and the question kept across signing in. Unit-tested (consult.test.js).

// Titles are short: the first 30 characters of the question (code points, as the server counts,
// so an emoji or a rare Han character outside the BMP is never cut in half).
export const TITLE_CHARS = 30;
export const PENDING_KEY = 'yiwang.assistant.pending';

export function consultTitle(question) {
  const oneLine = String(question ?? '').replace(/\s+/g, ' ').trim();
  return Array.from(oneLine).slice(0, TITLE_CHARS).join('').trim();
}

// POST /api/v1/appeals. The location is left out: the server takes it as a plain string and an
// empty one is the default (a consultation has no place).
export function consultBody(question) {
  const text = String(question ?? '').trim();
  return { channel: 'web', type: 'consult', title: consultTitle(text), text };
}

export function appealHref(id) {
  return `/my/appeals/${encodeURIComponent(id)}`;
}

// The receipt shown after filing: a new appeal (201) or one the server merged with an earlier
// identical question (200, merged) — or, for a replayed Idempotency-Key, the appeal it names.
export function receiptOf(reply) {
  const id = reply?.id || reply?.appeal_id || reply?.appeal?.id || '';
  return id ? { id, merged: Boolean(reply?.merged), href: appealHref(id) } : null;
}

// A fresh key per question, so a double click files one appeal, not two.
export function idempotencyKey(random = () => Math.random()) {
  if (typeof crypto !== 'undefined' && crypto.randomUUID) return `consult-${crypto.randomUUID()}`;
  return `consult-${Date.now().toString(36)}-${Math.floor(random() * 1e12).toString(36)}`;
}

// Where "sign in first" leads: the login page, back to this page afterwards.
export function signInRoute(fullPath) {
  return { name: 'login', query: { next: fullPath || '/' } };
}

export function keepPending(question, storage = globalThis.sessionStorage) {
  try {
    storage?.setItem(PENDING_KEY, String(question ?? ''));
  } catch {
    // Storage refused: the visitor types the question again.
  }
}

// The question kept before signing in, once (it is removed when read).
export function takePending(storage = globalThis.sessionStorage) {
  try {
    const q = storage?.getItem(PENDING_KEY) || '';
    storage?.removeItem(PENDING_KEY);
    return q;
  } catch {
    return '';
  }
}
