// The thread-safety check: every source that uses core/thread_annotations.h (directly or through
// its own headers) is compiled with clang's -Wthread-safety as an error, using the flags CMake
// recorded for it in compile_commands.json. Sources are checked two at a time.
//   node check.mjs BUILD_DIR SOURCE_DIR CLANGXX
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';

const [buildDir, sourceDir, clang] = process.argv.slice(2);
const commands = JSON.parse(readFileSync(path.join(buildDir, 'compile_commands.json'), 'utf8'));

// Headers that pull in the annotations, found transitively among the project's own headers.
const srcRoot = path.join(sourceDir, 'src');
const includesOf = (file) => {
  try {
    return [...readFileSync(file, 'utf8').matchAll(/^#include "([^"]+)"/gm)].map((m) => m[1]);
  } catch {
    return [];
  }
};
const annotated = new Map();
const usesAnnotations = (file, seen = new Set()) => {
  if (annotated.has(file)) return annotated.get(file);
  if (seen.has(file)) return false;
  seen.add(file);
  const result = includesOf(file).some(
    (inc) => inc === 'core/thread_annotations.h' || usesAnnotations(path.join(srcRoot, inc), seen),
  );
  annotated.set(file, result);
  return result;
};

const jobs = commands
  .filter((c) => c.file.startsWith(srcRoot + path.sep) && usesAnnotations(c.file))
  .map((c) => {
    const args = c.command.split(/\s+/).slice(1);
    const keep = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-o' || args[i] === '-c') {
        i++;
        continue;
      }
      if (args[i] === '-isystem' || args[i] === '-include') {
        keep.push(args[i], args[++i]);
      } else if (args[i].startsWith('-D') || args[i].startsWith('-I') || args[i].startsWith('-std=')) {
        keep.push(args[i]);
      }
    }
    return { file: c.file, args: [...keep, '-fsyntax-only', '-Wthread-safety', '-Werror=thread-safety', c.file] };
  });

if (jobs.length === 0) {
  console.error('thread-safety: no annotated sources found: the check would prove nothing');
  process.exit(1);
}

let failed = 0;
const run = (job) =>
  new Promise((resolve) => {
    const child = spawn(clang, job.args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => {
      if (code !== 0) {
        failed++;
        console.error(`thread-safety: ${path.relative(sourceDir, job.file)} failed`);
      }
      resolve();
    });
  });
const queue = [...jobs];
await Promise.all(
  [0, 1].map(async () => {
    while (queue.length) await run(queue.shift());
  }),
);
console.log(`thread-safety: ${jobs.length - failed} of ${jobs.length} annotated sources pass`);
process.exit(failed ? 1 : 0);
