import { describe, expect, it } from 'vitest';
import { ADMIN_ROLES, SECTIONS, adminRoleOf, adminRolesIn, mayEditRoles, rolesFor, sectionsFor } from './sections.js';
import { navLinks, routes } from './routes.js';
import { guard } from '../../router.js';
import { homeFor } from '../../session.js';

const official = (roles, id = 'u-1') => ({ id, kind: 'official', roles, dept_id: 'zwfw' });
const keys = (user) => sectionsFor(user).map((s) => s.key);
const t = (k) => k;
const linksFor = (user) => navLinks({ signedIn: Boolean(user), isOfficial: user?.kind === 'official', user, t });

describe('three administrators kept apart (三员分立)', () => {
  it('gives each administrator only their own sections', () => {
    expect(keys(official(['admin']))).toEqual(['items', 'departments', 'calendar']);
    expect(keys(official(['security_admin']))).toEqual(['users']);
    expect(keys(official(['auditor']))).toEqual(['audit']);
    expect(keys(official(['clerk', 'supervisor']))).toEqual([]);
    expect(keys({ kind: 'citizen', roles: ['admin'] })).toEqual([]);
    expect(keys(null)).toEqual([]);
  });
  it('guards each page for its administrator, the overview for all three', () => {
    const route = (name) => routes.find((r) => r.name === name);
    const allowed = (name, user) => guard(route(name), user) === true;
    expect(route('admin').meta.roles).toEqual(ADMIN_ROLES);
    for (const user of ADMIN_ROLES.map((r) => official([r]))) expect(allowed('admin', user)).toBe(true);
    expect(allowed('admin', official(['supervisor']))).toBe(false);
    expect(allowed('admin-users', official(['security_admin']))).toBe(true);
    expect(allowed('admin-users', official(['admin']))).toBe(false);
    expect(allowed('admin-users', official(['auditor']))).toBe(false);
    expect(allowed('admin-audit', official(['auditor']))).toBe(true);
    expect(allowed('admin-audit', official(['admin']))).toBe(false);
    expect(allowed('admin-audit', official(['security_admin']))).toBe(false);
    for (const name of ['admin-items', 'admin-item', 'admin-departments', 'admin-calendar']) {
      expect(allowed(name, official(['admin'])), name).toBe(true);
      expect(allowed(name, official(['security_admin'])), name).toBe(false);
      expect(allowed(name, official(['auditor'])), name).toBe(false);
    }
    expect(guard(route('admin-users'), official(['admin']))).toEqual({ path: '/admin', query: { denied: '1' } });
  });
  it('registers a page for every section', () => {
    for (const s of SECTIONS) {
      const r = routes.find((x) => x.path === s.to);
      expect(r, s.to).toBeTruthy();
      expect(r.meta.roles).toEqual(rolesFor(s.key));
    }
  });
  it('links every administrator to the overview under their own name', () => {
    expect(linksFor(official(['admin']))).toEqual([{ to: '/admin', label: 'common.nav.admin', order: 50 }]);
    expect(linksFor(official(['security_admin']))).toEqual([{ to: '/admin', label: 'common.nav.security', order: 50 }]);
    expect(linksFor(official(['auditor']))).toEqual([{ to: '/admin', label: 'common.nav.audit', order: 50 }]);
    expect(linksFor(official(['clerk']))).toEqual([]);
    expect(linksFor(null)).toEqual([]);
  });
  it('starts every administrator at the overview', () => {
    for (const r of ADMIN_ROLES) expect(homeFor(official([r]))).toBe('/admin');
  });
  it('names which administrator a user is', () => {
    expect(adminRoleOf(official(['security_admin']))).toBe('security_admin');
    expect(adminRoleOf(official(['reviewer']))).toBe('');
    expect(adminRoleOf(null)).toBe('');
  });
  it('never offers to change one’s own roles, nor those of applicants', () => {
    const me = official(['security_admin'], 'u-sec');
    expect(mayEditRoles(me, official(['clerk'], 'u-2'))).toBe(true);
    expect(mayEditRoles(me, me)).toBe(false);
    expect(mayEditRoles(me, { ...me })).toBe(false);
    expect(mayEditRoles(me, { id: 'u-3', kind: 'citizen', roles: [] })).toBe(false);
    expect(mayEditRoles(null, official(['clerk']))).toBe(false);
  });
  it('picks the administrator roles out of a choice', () => {
    expect(adminRolesIn(['clerk', 'reviewer'])).toEqual([]);
    expect(adminRolesIn(['admin', 'clerk'])).toEqual(['admin']);
    expect(adminRolesIn(['clerk', 'admin', 'auditor'])).toEqual(['admin', 'auditor']);
    expect(adminRolesIn(undefined)).toEqual([]);
  });
});
