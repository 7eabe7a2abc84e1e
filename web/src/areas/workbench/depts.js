// Department names for ids the case API returns (dept_id, step dept_ids, actor dept), shared by the
// workbench pages; the list is loaded once for the whole app (src/departments.js).
import { reactive } from 'vue';
import { loadDepartments as loadList } from '../../departments.js';

export const deptNames = reactive({});

export async function loadDepartments() {
  for (const d of await loadList()) deptNames[d.id] = d.name;  // ids are shown until (or unless) it loads
}

export function deptName(id) {
  if (!id) return '';
  return deptNames[id] || id;
}
