// Department names for the participation pages (GET /api/v1/departments is public), loaded once.
import { ref } from 'vue';
import { get } from '../../api.js';

const names = ref({});
let loading = null;

export function useDepartments() {
  if (!loading) {
    loading = get('/api/v1/departments')
      .then((reply) => {
        const map = {};
        for (const d of reply.departments || []) map[d.id] = d.name;
        names.value = map;
      })
      .catch(() => {
        loading = null;
      });
  }
  return { deptName: (id) => names.value[id] || id || '' };
}
