import { useEffect, useState } from 'preact/hooks';

/** Hash routes (`#/services?namespace=default`): no server fallback needed under any mount path. */
export interface Route {
  path: string;
  params: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '') || '/';
  const q = h.indexOf('?');
  const path = q === -1 ? h : h.slice(0, q);
  const params: Record<string, string> = {};
  if (q !== -1) new URLSearchParams(h.slice(q + 1)).forEach((v, k) => (params[k] = v));
  return { path, params };
}

export function href(path: string, params: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path: string, params: Record<string, string | number | undefined> = {}): void {
  location.hash = href(path, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
