// Department names for the portal (GET /api/v1/departments is public), loaded once per page load.
import { get } from '../../api.js';

let cached = null;

export async function loadDepartments() {
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
