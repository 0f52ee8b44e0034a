// Compose a supergraph with Apollo's composition library from subgraphs that serve `_service { sdl }`.
//
//   node federation/compose.mjs <supergraph file> <name>=<graphql url> ...
// Writes the supergraph SDL to the file and prints {errors, hints, subgraphs}.
import { writeFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { printReport, runMain } from "../lib/report.mjs";

const [output, ...subgraphs] = process.argv.slice(2);

async function sdlOf(url) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.json();
  if (!body.data?._service) throw new Error(`${url} serves no _service: ${JSON.stringify(body)}`);
  return body.data._service.sdl;
}

async function main() {
  const services = [];
  for (const argument of subgraphs) {
    const [name, url] = argument.split(/=(.*)/s);
    services.push({ name, url, typeDefs: parse(await sdlOf(url)) });
  }
  const result = composeServices(services);
  if (result.supergraphSdl) writeFileSync(output, result.supergraphSdl);
  printReport({
    subgraphs: services.map((service) => service.name),
    errors: (result.errors ?? []).map((error) => error.message),
    hints: (result.hints ?? []).map((hint) => hint.definition.code),
  });
}

runMain(main);
