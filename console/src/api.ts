/**
 * The console's only door to the server: the HTTP OpenAPI, with the signed-in user's token in
 * `X-Polaris-Token`. Every non-success answer becomes an ApiError carrying the Polaris code and
 * info, so pages can show it in words.
 */

export interface Session {
  token: string;
  name: string;
  userId: string;
  role: string;
  ownerId: string;
}

const KEY = 'polaris.console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly info: string,
    /** Per-item answers of a batch write, when the server gave them. */
    readonly details: Array<{ code: number; info: string }> = [],
  ) {
    super(code ? `${info} (code ${code})` : info);
  }
}

/** Codes meaning the token itself is no longer good: the session ends. */
const SESSION_ENDING = new Set([401002, 401003, 401004]);
let onSessionEnd: (err: ApiError) => void = () => {};
export function whenSessionEnds(fn: (err: ApiError) => void): void {
  onSessionEnd = fn;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function qs(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

function codeOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'value' in v) return Number((v as { value: unknown }).value);
  return Number(v ?? 0);
}

export async function request<T = any>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const session = loadSession();
  if (session?.token) headers['X-Polaris-Token'] = session.token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path + qs(query), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 0, `the server could not be reached: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(res.status, 0, `HTTP ${res.status}: ${text.slice(0, 200) || res.statusText}`);
  }
  const code = codeOf(json.code);
  if (!res.ok || (code && Math.floor(code / 1000) !== 200)) {
    const details = Array.isArray(json.responses)
      ? json.responses
          .filter((r: any) => r && Math.floor(codeOf(r.code) / 1000) !== 200)
          .map((r: any) => ({ code: codeOf(r.code), info: String(r.info ?? '') }))
      : [];
    const err = new ApiError(res.status, code, String(json.info ?? res.statusText), details);
    // Only the first refusal of the live session ends it: calls still in flight with the same
    // token, or sent after it ended, must not replace the reason the user is shown.
    if (SESSION_ENDING.has(code) && session?.token && loadSession()?.token === session.token) onSessionEnd(err);
    throw err;
  }
  return json as T;
}

export const api = {
  get: <T = any>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T = any>(path: string, body: unknown, query?: Query) => request<T>('POST', path, body, query),
  put: <T = any>(path: string, body: unknown, query?: Query) => request<T>('PUT', path, body, query),
  del: <T = any>(path: string, query?: Query) => request<T>('DELETE', path, undefined, query),
};

export async function login(name: string, password: string, owner: string): Promise<Session> {
  const body: Record<string, string> = { name, password };
  if (owner) body.owner = owner;
  const res = await api.post('/core/v1/user/login', body);
  const r = res.loginResponse ?? {};
  const s: Session = {
    token: String(r.token ?? ''),
    name: String(r.name ?? name),
    userId: String(r.user_id ?? ''),
    role: String(r.role ?? ''),
    ownerId: String(r.owner_id ?? ''),
  };
  saveSession(s);
  return s;
}

/** Wire wrappers may arrive as plain values or `{value}`; read either. */
export function val<T = string>(v: unknown): T {
  if (v && typeof v === 'object' && 'value' in (v as object)) return (v as { value: T }).value;
  return v as T;
}
