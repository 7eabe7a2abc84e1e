// A department's name on the portal's pages ('' when unknown); the list: src/departments.js.
export function deptName(departments, id) {
  if (!id) return '';
  return (departments || []).find((d) => d.id === id)?.name || '';
}
