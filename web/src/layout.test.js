// The layout rule of CONVENTIONS.md, checked on the files themselves: where each kind of file
// lives, how files are named, that an area's pages are exactly what its routes.js registers, and
// that every area has its strings file. (The strings inside those files: i18n.test.js.)
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.dirname(new URL(import.meta.url).pathname);

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [path.relative(SRC, full).split(path.sep).join('/')];
  });
}

const files = walk(SRC);
const areas = fs.readdirSync(path.join(SRC, 'areas'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const read = (file) => fs.readFileSync(path.join(SRC, file), 'utf8');

const PASCAL_VUE = /^[A-Z][A-Za-z0-9]*\.vue$/;
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*(\.test)?\.(js|css)$/;

// Where a file may stand, by the rule; null when nowhere.
function placeOf(file) {
  const parts = file.split('/');
  const name = parts[parts.length - 1];
  if (parts.length === 1) return name === 'App.vue' || (name.endsWith('.js') && KEBAB.test(name)) ? 'frame' : null;
  if (parts[0] === 'styles' && parts.length === 2) return name.endsWith('.css') && KEBAB.test(name) ? 'styles' : null;
  if (parts[0] === 'locales' && parts.length === 2) {
    return name === 'common.js' || areas.includes(name.replace(/\.js$/, '')) ? 'locale' : null;
  }
  if (parts[0] === 'components' && parts.length === 2) return PASCAL_VUE.test(name) ? 'shared component' : null;
  if (parts[0] === 'areas' && parts.length === 3) return KEBAB.test(name) ? 'area logic' : null;
  if (parts[0] === 'areas' && parts.length === 4 && PASCAL_VUE.test(name)) {
    if (parts[2] === 'views') return 'view';
    if (parts[2] === 'components') return 'area component';
  }
  return null;
}

// Relative imports of a source file (static, dynamic, side-effect and <style src>), as paths from src.
function importsOf(file) {
  const specs = [...read(file).matchAll(/(?:from\s+|import\s*\(\s*|import\s+|src=)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

const sources = files.filter((f) => /\.(js|vue)$/.test(f));
const importers = new Map();
for (const file of sources) {
  for (const target of importsOf(file)) importers.set(target, [...(importers.get(target) || []), file]);
}
// "frame" for files directly in src, otherwise the area (areas/<area>/…) or the top folder.
const ownerOf = (file) => (file.includes('/') ? (file.startsWith('areas/') ? file.split('/')[1] : file.split('/')[0]) : 'frame');

describe('the layout of web/src', () => {
  it('puts every file in a place the rule names', () => {
    expect(files.filter((f) => placeOf(f) === null)).toEqual([]);
  });

  it('names components in PascalCase and other files in kebab-case', () => {
    const names = files.map((f) => f.split('/').pop());
    expect(names.filter((n) => n.endsWith('.vue') && !PASCAL_VUE.test(n))).toEqual([]);
    expect(names.filter((n) => /\.(js|css)$/.test(n) && !KEBAB.test(n))).toEqual([]);
  });

  it('gives every area its strings file and no strings file without an area', () => {
    const locales = files.filter((f) => f.startsWith('locales/')).map((f) => f.slice('locales/'.length, -'.js'.length));
    expect(locales.filter((l) => l !== 'common').sort()).toEqual([...areas].sort());
  });

  it("registers an area's pages in its own routes.js, and only those", () => {
    for (const area of areas) {
      const views = files.filter((f) => f.startsWith(`areas/${area}/views/`)).map((f) => f.split('/').pop());
      const routesFile = `areas/${area}/routes.js`;
      if (!files.includes(routesFile)) {
        expect(views, `${area} has pages but no routes.js`).toEqual([]);
        continue;
      }
      const registered = importsOf(routesFile).filter((f) => f.endsWith('.vue'));
      expect(registered.filter((f) => !f.startsWith(`areas/${area}/views/`)), `${routesFile} registers another folder's component`).toEqual([]);
      expect([...new Set(registered.map((f) => f.split('/').pop()))].sort(), `${area}: pages without a route`).toEqual(views.sort());
    }
  });

  it('opens a page only through its routes (and its own tests)', () => {
    for (const [target, by] of importers) {
      if (!target.includes('/views/')) continue;
      const area = target.split('/')[1];
      const strangers = by.filter((f) => f !== `areas/${area}/routes.js` && !(f.startsWith(`areas/${area}/`) && f.endsWith('.test.js')));
      expect(strangers, target).toEqual([]);
    }
  });

  it('keeps in src/components only components that several areas (or the frame and an area) use', () => {
    for (const file of files.filter((f) => placeOf(f) === 'shared component')) {
      const users = new Set((importers.get(file) || []).map(ownerOf));
      expect(users.size, `${file} is used by ${[...users].join(', ') || 'nobody'}: move it to that area`).toBeGreaterThan(1);
    }
  });

  it('keeps directly in src only the frame and modules several areas share', () => {
    for (const file of files.filter((f) => !f.includes('/') && f !== 'main.js' && !f.endsWith('.test.js'))) {
      const users = new Set((importers.get(file) || []).map(ownerOf));
      expect(users.has('frame') || users.size > 1, `${file} is used by ${[...users].join(', ') || 'nobody'}: move it to that area`).toBe(true);
    }
  });

  it('is the layout CONVENTIONS.md describes: every area has its row there', () => {
    const doc = fs.readFileSync(path.join(SRC, '..', 'CONVENTIONS.md'), 'utf8');
    for (const area of areas) expect(doc, `CONVENTIONS.md has no row for ${area}`).toMatch(new RegExp(`^\\| \`${area}\` \\|`, 'm'));
  });
});
