// Who is signed in (GET /api/auth/me) for the whole console: the role decides the navigation and which
// screens render. The API stays the authority (it answers 403); the console only hides what it would refuse.
import { createContext, useContext } from 'react';
import type { Me, Role, SignedInUser } from './api.ts';

export interface Session {
  userId: number | null;
  email: string;
  name: string;
  role: Role;
  signOut(): void;
}

const Ctx = createContext<Session | null>(null);
export const SessionProvider = Ctx.Provider;

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}

const NAME_KEY = 'renotify.user';

/** /auth/me has no display name: the one from the last sign-in is remembered (not a secret). */
export function rememberUser(u: SignedInUser): void {
  localStorage.setItem(NAME_KEY, JSON.stringify({ email: u.email, name: u.name }));
}

export function sessionFrom(me: Me, signOut: () => void): Session {
  const email = me.actor.replace(/^user:/, '');
  let name = email;
  try {
    const saved = JSON.parse(localStorage.getItem(NAME_KEY) ?? 'null') as {
      email?: string;
      name?: string;
    } | null;
    if (saved?.email === email && saved.name) name = saved.name;
  } catch {
    /* a damaged entry: show the email */
  }
  return { userId: me.userId, email, name, role: me.role, signOut };
}
