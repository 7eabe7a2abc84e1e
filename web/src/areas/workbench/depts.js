// Department names for ids the case API returns (dept_id, step dept_ids, actor dept): loaded once
// per page session from GET /api/v1/departments and shared by the workbench pages.
import { reactive } from 'vue';
import { get } from '../../api.js';

export const deptNames = reactive({});
let loading = null;

export function loadDepartments() {
  if (!loading) {
    loading = get('/api/v1/departments')
      .then((r) => {
        for (const d of r?.departments || []) deptNames[d.id] = d.name;
      })
      .catch(() => {
        loading = null;  // try again on the next page; ids are shown meanwhile
      });
  }
  return loading;
}

export function deptName(id) {
  if (!id) return '';
  return deptNames[id] || id;
}
