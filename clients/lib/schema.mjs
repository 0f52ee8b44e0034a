// The schema the live gateway serves, by introspection, as SDL: what a client tool compiles against.
//
//   node lib/schema.mjs <graphql url> <SDL file to write> <committed SDL file>
// Writes the live schema and prints both, sorted, so a test can show where they differ.
import { readFileSync, writeFileSync } from "node:fs";
import { buildSchema, lexicographicSortSchema, printSchema } from "graphql";
import { fetchSchema, printReport, runMain } from "./report.mjs";

const [url, output, committed] = process.argv.slice(2);

async function main() {
  const live = await fetchSchema(url);
  writeFileSync(output, printSchema(live));
  printReport({
    live: printSchema(lexicographicSortSchema(live)),
    committed: printSchema(lexicographicSortSchema(buildSchema(readFileSync(committed, "utf8")))),
  });
}

runMain(main);
