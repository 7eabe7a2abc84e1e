// The departments, for showing names instead of ids (GET /api/v1/departments is public): loaded
// once per page load and shared by the pages of every area that shows them. A failed load gives
// [] (the pages show ids meanwhile) and is tried again on the next call.
import { get } from './api.js';

let loading = null;

// [{ id, name, … }]
export function loadDepartments() {
  if (!loading) {
    loading = get('/api/v1/departments')
      .then((reply) => reply?.departments || [])
      .catch(() => {
        loading = null;
        return [];
      });
  }
  return loading;
}

// { id: name }
export async function loadDepartmentNames() {
  return Object.fromEntries((await loadDepartments()).map((d) => [d.id, d.name]));
}
