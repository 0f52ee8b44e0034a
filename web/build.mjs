// Builds GraphiQL (with React and Monaco's workers) into gateway/static/graphiql/ for offline use.
// The output is git-ignored: a build product of the pinned packages in package-lock.json.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.env.GRAPHIQL_OUTDIR ?? join(here, '..', 'gateway', 'static', 'graphiql');
const common = {
  bundle: true,
  minify: true,
  target: 'es2022',
  logLevel: 'warning',
  legalComments: 'external',
  define: { 'process.env.NODE_ENV': '"production"' },
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await esbuild.build({
  ...common,
  entryPoints: { graphiql: join(here, 'src', 'graphiql.js') },
  format: 'esm',
  outdir,
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
});
await esbuild.build({
  ...common,
  entryPoints: {
    'workers/editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'workers/json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'workers/graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  },
  format: 'iife',
  outdir,
});
// Marks a complete build: the gateway serves the offline page only when this exists.
await writeFile(join(outdir, 'BUILD'), `${new Date().toISOString()}\n`);
console.log(`GraphiQL assets built into ${outdir}`);
