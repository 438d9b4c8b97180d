import { createContext, type ButtonHTMLAttributes, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Session } from './api';
import { Grants } from './access';

/** Every page of a strategies query (the server gives at most 100 a page). */
async function strategiesWhere(query: Record<string, string>): Promise<any[]> {
  const out: any[] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await api.get('/core/v1/auth/strategies', { ...query, show_detail: 'true', offset, limit: 100 });
    const page: any[] = res.authStrategies ?? [];
    out.push(...page);
    if (page.length < 100 || out.length >= Number(res.amount ?? 0)) return out;
  }
}

/** A strategy as listed, with the group it reaches the user through ('' for the user's own). */
export interface HeldStrategy {
  strategy: any;
  via: string;
}

/** The strategies naming the user and those naming its groups, each once. */
export async function loadHeldStrategies(session: Session): Promise<HeldStrategy[]> {
  const mine = await strategiesWhere({ principal_id: session.userId, principal_type: 'user' });
  const groups: any[] = (await api.get('/core/v1/usergroups', { user_id: session.userId, limit: 100 })).userGroups ?? [];
  const ofGroups = await Promise.all(groups.map((g) => strategiesWhere({ principal_id: String(g.id), principal_type: 'group' })));
  const seen = new Map<string, HeldStrategy>();
  for (const w of mine) seen.set(String(w.id), { strategy: w, via: '' });
  groups.forEach((g, i) => {
    for (const w of ofGroups[i]) if (!seen.has(String(w.id))) seen.set(String(w.id), { strategy: w, via: String(g.name ?? g.id) });
  });
  return [...seen.values()];
}

/** Reads the user's write rights; a failure is 'unknown' (never a hidden control the server would allow). */
export async function loadGrants(session: Session): Promise<Grants> {
  if (!session.token || session.role === 'admin') return Grants.all();
  try {
    const status = await api.get('/core/v1/auth/status');
    const open = status?.optionSwitch?.options?.consoleOpen ?? status?.consoleOpen;
    if (String(open) === 'false') return Grants.all();
    return Grants.fromWire((await loadHeldStrategies(session)).map((h) => h.strategy));
  } catch {
    return new Grants('unknown');
  }
}

/**
 * The signed-in user's write rights for every page. Read after sign-in and again on each page
 * change (a strategy edited meanwhile shows on the next page); the last answer stays in use while
 * the next one loads. Until the first answer, controls are offered (the server still decides).
 */
export const GrantsContext = createContext<Grants>(Grants.all());

export function useLoadGrants(session: Session, path: string): Grants {
  const [grants, setGrants] = useState<Grants>(() => new Grants('pending'));
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    void loadGrants(session).then((g) => {
      if (mine === seq.current) setGrants(g);
    });
  }, [session.token, path]);
  return grants;
}

export function useGrants(): Grants {
  return useContext(GrantsContext);
}

export const READ_ONLY_ID = 'read-only-note';

/**
 * Says, once per page, why controls are locked or left out: `some` when only part of the page is
 * closed to the user, `all` when nothing on it may be changed, nothing when everything is open.
 */
export function ReadOnlyNote({ refused }: { refused: 'none' | 'some' | 'all' }) {
  if (refused === 'none') return null;
  return (
    <p id={READ_ONLY_ID} class="read-only" role="note">
      {refused === 'all' ? (
        <><strong>Read-only.</strong> Your strategies do not allow you to change what this page shows.</>
      ) : (
        <><strong>Partly read-only.</strong> Changes your strategies do not allow are locked or left out.</>
      )}{' '}
      A main account can grant more; see <a href="#/auth/mine">your access</a>.
    </p>
  );
}

/** How much of a page is refused, from the verdicts of its controls. */
export function refusedOf(verdicts: boolean[]): 'none' | 'some' | 'all' {
  const no = verdicts.filter((v) => !v).length;
  return no === 0 ? 'none' : no === verdicts.length ? 'all' : 'some';
}

type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type'> & { type?: 'button' | 'submit' };

/**
 * A button for a write. When `allowed` is false it stays in the tab order but does nothing:
 * `aria-disabled`, the reason as its title (shown on hover and on keyboard focus) and described by
 * the page's read-only note.
 */
export function WriteButton({ allowed, reason, children, onClick, type = 'button', ...rest }: ButtonProps & {
  allowed: boolean;
  reason: string;
  children: ComponentChildren;
}) {
  if (allowed) {
    return (
      <button type={type} onClick={onClick} {...rest}>
        {children}
      </button>
    );
  }
  const { class: cls, disabled: _d, ...others } = rest;
  return (
    <button
      {...others}
      type="button"
      class={`${cls ?? ''} locked`.trim()}
      aria-disabled="true"
      title={reason}
      data-reason={reason}
      aria-describedby={READ_ONLY_ID}
      onClick={(e) => e.preventDefault()}
    >
      {children}
    </button>
  );
}

/** The reason text for a refused operation. */
export function notAllowed(what: string): string {
  return `You may not ${what}: no strategy of yours grants it.`;
}
