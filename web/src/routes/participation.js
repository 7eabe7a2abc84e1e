// Routes and navigation of the participation area (see README.md beside this file).
export const routes = [];

export function navLinks() {
  return [];
}
