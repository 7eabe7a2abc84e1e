// Pure logic of 公开审核 (publication review, views/Disclosure.vue): the labels of surfaces and
// kinds, the list query, the client's checks of a decision and its request body, where a field
// error belongs, the subject's page, and a hint at long digit runs left in the text to publish.
// The server (src/disclosure) decides; these only shape what the page shows and sends. No Vue.

export const STATES = ['pending', 'published', 'withheld'];
export const PAGE_SIZE = 50;
// The longest text the server publishes (characters, i.e. code points).
export const MAX_TEXT = 5000;

// Where a held text is shown to the public (API values); labels in disclosure.surfaces.
export const SURFACES = [
  'appeal.title', 'appeal.text', 'appeal.reply', 'grid_event.description', 'open311.address',
  'consultation_comment.text', 'consultation_comment.reason',
];
// What redact found in a text (API values); labels in disclosure.kinds.
export const KINDS = [
  'name', 'email', 'plate', 'address', 'id_number', 'phone', 'bank_card', 'unclassified_number', 'spelled_number',
];
// Kinds that made the text held (the rest were replaced by placeholders already).
export const HOLDING_KINDS = ['unclassified_number', 'spelled_number'];

// Locale keys cannot hold a dot: "appeal.title" → "appeal_title".
const keyOf = (value) => String(value).replace(/\./g, '_');

// The label of a surface or kind in the current language; an unknown value (a newer server) as is.
export function surfaceLabel(surface, t) {
  return SURFACES.includes(surface) ? t(`disclosure.surfaces.${keyOf(surface)}`) : String(surface || '');
}

export function kindLabel(kind, t) {
  return KINDS.includes(kind) ? t(`disclosure.kinds.${kind}`) : String(kind || '');
}

// GET /api/v1/disclosure/reviews query for one state, from `offset` on.
export function reviewsQuery(state, offset = 0, limit = PAGE_SIZE) {
  return { state: STATES.includes(state) ? state : 'pending', limit, offset: Math.max(0, Math.floor(offset) || 0) };
}

// Code points, as the server counts.
export function charCount(text) {
  return Array.from(text || '').length;
}

// What is wrong with a decision before it is sent: { field: 'text'|'reason', key } (a
// disclosure.errors.* message), or null. Publishing needs a text of 1..MAX_TEXT
// characters; withholding needs a reason.
export function checkDecision(decision, { text = '', reason = '' } = {}) {
  if (decision === 'withhold') {
    return reason.trim() ? null : { field: 'reason', key: 'reasonRequired' };
  }
  if (!text.trim()) return { field: 'text', key: 'textEmpty' };
  if (charCount(text) > MAX_TEXT) return { field: 'text', key: 'textLong' };
  return null;
}

// POST /api/v1/disclosure/reviews/{id}/decision body, on the revision the official read.
export function decisionBody(decision, review, { text = '', reason = '' } = {}) {
  const body = { decision, revision: review?.revision ?? 0 };
  if (decision === 'publish') body.text = text.trim();
  const why = reason.trim();
  if (why) body.reason = why;
  return body;
}

// The input a problem's field path points at ("/text", "/reason"), or '' for the whole form.
export function fieldOf(path) {
  const name = String(path || '').replace(/^\//, '');
  return name === 'text' || name === 'reason' ? name : '';
}

// The officials' page of the matter a review is about, or '' when there is none to open.
export function subjectLink(review) {
  const id = encodeURIComponent(review?.subject_id || '');
  if (!id) return '';
  const surface = String(review?.surface || '');
  if (surface.startsWith('appeal.')) return `/appeals/work/${id}`;
  if (surface.startsWith('grid_event.') || surface.startsWith('open311.')) return `/grid/events/${id}`;
  return '';
}

// Runs of seven or more digits (ASCII or full-width, groups separated by single spaces) or of
// seven or more Chinese numerals still in `text`, each once: what redact could not classify. Shown
// as a hint before publishing; a year list ("2019 2020 2021") matches too, so it never blocks.
const DIGIT_RUN = /[0-9０-９](?:[ \u3000]?[0-9０-９]){6,}/g;
const SPELLED_RUN = /[零〇一二三四五六七八九两]{7,}/g;

export function longNumbers(text) {
  const s = String(text || '');
  return [...new Set([...(s.match(DIGIT_RUN) || []), ...(s.match(SPELLED_RUN) || [])])];
}

// The list without the review `id` (after it was decided).
export function withoutReview(list, id) {
  return (list || []).filter((r) => r.id !== id);
}

// An element id for `review` ("dr-text-" + its id, anything but letters, digits, - and _ as _).
export function domId(prefix, review) {
  return `${prefix}-${String(review?.id ?? '').replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
