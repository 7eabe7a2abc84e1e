// Department names for the participation pages; the list is loaded once for the whole app
// (src/departments.js).
import { ref } from 'vue';
import { loadDepartmentNames } from '../../departments.js';

const names = ref({});

export function useDepartments() {
  loadDepartmentNames().then((map) => {
    names.value = map;
  });
  return { deptName: (id) => names.value[id] || id || '' };
}
