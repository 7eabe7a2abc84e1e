// Loading what several grid pages share: cells, classes and department names (cached for the
// visit; the departments list is src/departments.js's), and every event matching an API query (the
// list API pages at 200; the map needs them all).
import { get } from '../../api.js';
import { loadDepartments } from '../../departments.js';

let cellsPromise = null;
let classesPromise = null;

export function loadCells() {
  if (!cellsPromise) {
    cellsPromise = get('/api/v1/grid/cells').catch((e) => {
      cellsPromise = null;
      throw e;
    });
  }
  return cellsPromise;
}

export function loadClasses() {
  if (!classesPromise) {
    classesPromise = get('/api/v1/grid/classes').then((r) => r.items || []).catch((e) => {
      classesPromise = null;
      throw e;
    });
  }
  return classesPromise;
}

// { id: name }; {} when the list could not be loaded.
export async function loadDepartmentNames() {
  return Object.fromEntries((await loadDepartments()).map((d) => [d.id, d.name]));
}

const PAGE = 200;
const MAX_EVENTS = 5000;

// All events of the query, newest first; `truncated` when more than MAX_EVENTS exist.
export async function loadAllEvents(query = {}) {
  const items = [];
  let total = 0;
  for (let offset = 0; offset < MAX_EVENTS; offset += PAGE) {
    const page = await get('/api/v1/grid/events', { ...query, limit: PAGE, offset });
    total = page.total;
    items.push(...(page.items || []));
    if (items.length >= total || !(page.items || []).length) break;
  }
  return { items, total, truncated: items.length < total };
}
