// The departments, for showing names instead of ids (GET /api/v1/departments is public): loaded
// once per page load and shared by the pages of every area that shows them. A failed load gives
// [] (the pages show ids meanwhile) and is tried again on the next call.
import { get } from './api.js';

let loading = null;

// [{ id, name, … }]
export function loadDepartments() {
  if (!loading) {
    loading = get('/api/v1/departments')
      .then((reply) => reply.departments || [])
      .catch(() => {
        loading = null;
        return [];
      });
  }
  return loading;
}

// A department's name from the list; `unknown` when it is not there (the portal's pages show
// nothing rather than a code, the appeal pages show the code).
export function deptName(departments, id, unknown = '') {
  if (!id) return '';
  return (departments || []).find((d) => d.id === id)?.name || unknown;
}
