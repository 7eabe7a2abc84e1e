// Routes and navigation of the appeals area (see README.md beside this file).
export const routes = [];

export function navLinks() {
  return [];
}
