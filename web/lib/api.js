// The API over the session cookie. The cookie is HttpOnly: this code never sees the session
// token. The CSRF token that unsafe requests must carry lives in this module's memory only,
// read from the login answer or, after a reload, from GET /api/v1/me.
let csrf = null;
export let me = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
    this.status = status;
    this.problem = problem || { status, detail: this.message, errors: [] };
  }
}

// Calls the API; resolves to {status, data, etag}, rejects with an ApiError (whose problem
// holds the RFC 9457 document) for any 4xx or 5xx, or a network failure as status 0.
export async function call(method, path, body, headers = {}) {
  // A file goes as it is (its Content-Type among headers); anything else as JSON.
  const raw = body instanceof Blob;
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined && !raw) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch(path, {
      method, headers: h, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined || raw ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { status: 0, detail: String(e), errors: [] });
  }
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') && r.status !== 204 ? await r.json() : null;
  if (!r.ok) {
    if (r.status === 401 && me && path !== '/api/v1/login') {
      forget();
      window.dispatchEvent(new CustomEvent('pocd:logged-out'));
    }
    throw new ApiError(r.status, data);
  }
  return { status: r.status, data, etag: r.headers.get('ETag') };
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
// Uploads a File as an attachment; resolves to {id, sha256, size, ...}.
export const upload = (file) => call('POST',
  '/api/v1/attachments?filename=' + encodeURIComponent(file.name), file,
  { 'Content-Type': file.type || 'application/octet-stream' });

// Every item of a cursor-paged list (at most pages pages).
export async function all(path, pages = 20) {
  const items = [];
  let next = null;
  for (let i = 0; i < pages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(next ? path + sep + 'cursor=' + encodeURIComponent(next) : path);
    items.push(...r.data.items);
    next = r.data.next;
    if (!next) break;
  }
  return items;
}

// The session of this browser, if its cookie still holds one; null otherwise.
export async function resume() {
  try {
    const r = await get('/api/v1/me');
    me = r.data;
    csrf = r.data.csrf_token || null;
    delete me.csrf_token;
  } catch (e) {
    if (e.status !== 401) throw e;
    me = null;
  }
  return me;
}

export async function login(username, password, totp) {
  const body = { username, password };
  if (totp) body.totp = totp;
  const r = await call('POST', '/api/v1/login', body);
  csrf = r.data.csrf_token;
  // The bearer token in the answer is for scripts: the page keeps nothing of it.
  r.data.token = null;
  return resume();
}

export async function logout() {
  try {
    await call('POST', '/api/v1/logout');
  } finally {
    forget();
  }
}

function forget() {
  me = null;
  csrf = null;
}

// Whether this session may do nothing but enrol the second factor its role requires.
export function mustEnrol() {
  return Boolean(me && me.second_factor_required && !me.second_factor);
}

const STATES = new Map();

// Every state (code, names, participating), read once per page.
export async function states() {
  if (!STATES.size) {
    for (const s of await all('/api/v1/states?limit=500')) STATES.set(s.code, s);
  }
  return STATES;
}
