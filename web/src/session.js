// Who is signed in. The token lives in sessionStorage under the same key the built-in pages
// (/wallet) use, so signing in here also signs in there.
import { reactive, computed } from 'vue';

const TOKEN_KEY = 'yiwang.token';
const USER_KEY = 'yiwang.user';

function load(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function parseUser(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export const session = reactive({
  token: load(TOKEN_KEY),
  user: parseUser(load(USER_KEY)),
});

export function setSession(token, user) {
  session.token = token;
  session.user = user;
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  } catch {
    // Storage refused: the session lasts until the page is reloaded.
  }
}

export function clearSession() {
  session.token = null;
  session.user = null;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  } catch {
    // Nothing stored.
  }
}

export const signedIn = computed(() => Boolean(session.token && session.user));
export const isOfficial = computed(() => session.user?.kind === 'official');
export const isApplicant = computed(() => ['citizen', 'business'].includes(session.user?.kind));

export function hasRole(...roles) {
  const mine = session.user?.roles || [];
  return roles.some((r) => mine.includes(r));
}

// Where a freshly signed-in user starts.
export function homeFor(user) {
  if (!user) return '/';
  if (user.kind !== 'official') return '/my/cases';
  const roles = user.roles || [];
  // The three administrators (系统管理员, 安全管理员, 审计管理员) start at their overview.
  if (roles.some((r) => ['admin', 'security_admin', 'auditor'].includes(r))) return '/admin';
  if (roles.includes('supervisor') && !roles.some((r) => ['clerk', 'reviewer', 'approver'].includes(r))) {
    return '/workbench/supervision';
  }
  return '/workbench';
}
