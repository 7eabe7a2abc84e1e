// Logic of the Q&A chat panel (AssistantPanel.vue), kept apart from the component so it is
// unit-tested: the request body (with the previous answer's context for follow-ups), the turn a
// reply becomes, and the feedback body.
export const MAX_QUESTION_CHARS = 300;

// Code points, as the server counts them.
export function questionLength(text) {
  return [...(text ?? '')].length;
}

// null when the question may be sent, else the i18n key of the reason.
export function questionProblem(text) {
  const q = (text ?? '').trim();
  if (!q) return 'assistant.errors.empty';
  if (questionLength(q) > MAX_QUESTION_CHARS) return 'assistant.errors.tooLong';
  return null;
}

export function askBody(question, previous) {
  const body = { question: question.trim() };
  if (previous?.context?.kind && previous?.context?.ref) {
    body.context = { kind: previous.context.kind, ref: previous.context.ref };
  }
  return body;
}

// Where a source leads in the web app: items to their guide (where one applies); documents have
// no public page yet, so they are shown without a link.
export function sourceHref(source) {
  if (source?.kind === 'item' && source.ref) return source.link || `/items/${encodeURIComponent(source.ref)}`;
  return null;
}

export function toTurn(question, reply) {
  return {
    question,
    answer: reply.answer ?? '',
    sources: (reply.sources ?? []).map((s) => ({ ...s, href: sourceHref(s) })),
    confidence: typeof reply.confidence === 'number' ? reply.confidence : 0,
    handoff: Boolean(reply.handoff),
    contact: reply.handoff_contact ?? null,
    context: reply.context ?? null,
    followUp: Boolean(reply.follow_up),
    feedback: null, // 'useful' | 'not_useful' once given
  };
}

// What the feedback refers to: the first source, else the answer itself.
export function answerRef(turn) {
  const s = turn.sources?.[0];
  if (s) return `${s.kind}:${s.ref}`;
  return turn.handoff ? 'handoff' : 'none';
}

export function feedbackBody(turn, useful) {
  return { question: turn.question, answer_ref: answerRef(turn), useful: Boolean(useful) };
}
