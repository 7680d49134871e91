// The management API client: same-origin JSON with the session cookie, and
// the CSRF token on every request that changes state.

let csrfToken = null;
let onUnauthorized = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export class ApiError extends Error {
  constructor(status, body) {
    // A conflict may carry its sentence in `detail` beside a short `error`.
    super((body && (body.detail || body.error)) || `The server answered ${status}.`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
    this.index = body && body.index;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export async function api(method, path, body, { quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { error: 'The server cannot be reached. Is agentsudo-server running?', code: 'NETWORK' });
  }
  if (response.status === 204) return null;
  let parsed = null;
  const text = await response.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { error: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, parsed);
    if (response.status === 401 && !quiet401) onUnauthorized();
    throw error;
  }
  return parsed;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path, body) => api('DELETE', path, body);

export function projectPath(projectId, rest = '') {
  return `/api/v1/projects/${encodeURIComponent(projectId)}${rest}`;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
