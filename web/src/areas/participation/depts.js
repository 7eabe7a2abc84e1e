// Department names for the participation pages; the list is loaded once for the whole app
// (src/departments.js).
import { ref } from 'vue';
import { loadDepartments } from '../../departments.js';

const names = ref({});

export function useDepartments() {
  loadDepartments().then((list) => {
    names.value = Object.fromEntries(list.map((d) => [d.id, d.name]));
  });
  return { deptName: (id) => names.value[id] || id || '' };
}
