// The one way pages talk to the server: JSON in and out, the session's bearer token, and RFC 9457
// problems turned into ApiError with the server's Chinese and English messages and field path.
import { session, clearSession } from './session.js';
import { prefs } from './prefs.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.message_en || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.field = problem?.field || '';
  }

  // The message in the visitor's language, as the server wrote it.
  text(lang = prefs.lang) {
    const p = this.problem;
    return (lang === 'zh' ? p.message_zh : p.message_en) || p.detail || p.title || this.message;
  }
}

export function errorText(error, lang = prefs.lang) {
  if (error instanceof ApiError) return error.text(lang);
  return lang === 'zh' ? '网络异常，请稍后重试' : 'Network error, please try again';
}

export function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.append(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

// api('GET', '/api/v1/cases', { query: { state: 'submitted' } }); api('POST', path, { body }).
// `raw` sends a Blob/ArrayBuffer as is (file uploads) with its content type; `blob` returns the
// response body as a Blob (PDF downloads).
export async function api(method, path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let body;
  if (options.raw !== undefined) {
    body = options.raw;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(withQuery(path, options.query), { method, headers, body });
  if (response.status === 401 && session.token) clearSession();
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    throw new ApiError(response.status, problem);
  }
  if (options.blob) return response.blob();
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, query) => api('GET', path, { query });
export const post = (path, body) => api('POST', path, { body });
export const put = (path, body) => api('PUT', path, { body });
export const del = (path) => api('DELETE', path);

// Uploads one file (POST /api/v1/files): { sha256, … } of the stored file.
export function uploadFile(file) {
  return api('POST', '/api/v1/files', { raw: file, headers: { 'Content-Type': file.type } });
}

// Hands a downloaded blob (a case material, an export) to the browser as `filename`.
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
