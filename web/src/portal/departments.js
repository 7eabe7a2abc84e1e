// Department names for the portal. GET /api/v1/departments needs a signed-in user, so visitors
// see items without their department's name (and without the department filter).
import { get } from '../api.js';
import { session } from '../session.js';

let cached = null;

export async function loadDepartments() {
  if (!session.token) return [];
  if (cached) return cached;
  try {
    const reply = await get('/api/v1/departments');
    cached = reply.departments || [];
  } catch {
    cached = null;
    return [];
  }
  return cached;
}

export function deptName(departments, id) {
  if (!id) return '';
  return (departments || []).find((d) => d.id === id)?.name || '';
}
