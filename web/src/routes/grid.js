// Routes and navigation of the grid area (see README.md beside this file).
export const routes = [];

export function navLinks() {
  return [];
}
