// What every client script shares: a fetch that records what went over the wire, the warnings a
// library printed, the identity checks on what came back, and printing one JSON report.
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isInterfaceType,
  isObjectType,
} from "graphql";

/** A `fetch` that remembers every exchange (method, hash-only or not, status) and response body. */
export function recordingFetch() {
  const exchanges = [];
  const bodies = [];
  const fetchAndRecord = async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    const method = (init.method ?? "GET").toUpperCase();
    const body = typeof init.body === "string" ? init.body : null;
    const parsed = body ? JSON.parse(body) : null;
    const operations = Array.isArray(parsed) ? parsed : parsed ? [parsed] : [];
    const response = await fetch(input, init);
    const text = await response.clone().text();
    exchanges.push({
      method,
      batch: Array.isArray(parsed) ? parsed.length : null,
      sentQuery: method === "GET" ? url.searchParams.has("query") : operations.some((op) => "query" in op),
      // Named by hash or id: APQ's `extensions.persistedQuery`, GraphQL over HTTP's `documentId`,
      // Relay's `doc_id`.
      sentHash:
        method === "GET"
          ? (url.searchParams.get("extensions") ?? "").includes("sha256Hash") ||
            url.searchParams.has("documentId") ||
            url.searchParams.has("doc_id")
          : operations.some((op) => op.extensions?.persistedQuery?.sha256Hash || op.documentId || op.doc_id),
      status: response.status,
      contentType: response.headers.get("content-type"),
      contentEncoding: response.headers.get("content-encoding"),
      errorCodes: errorCodes(text),
    });
    bodies.push(parseOrNull(text));
    return response;
  };
  return { fetch: fetchAndRecord, exchanges, bodies };
}

function parseOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorCodes(text) {
  try {
    const body = JSON.parse(text);
    const results = Array.isArray(body) ? body : [body];
    return results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.code ?? null));
  } catch {
    return ["<not JSON>"];
  }
}

/** Collect what a library prints through console.warn/console.error (cache and store warnings). */
export function captureWarnings() {
  const warnings = [];
  for (const level of ["warn", "error"]) {
    console[level] = (...args) => warnings.push(args.map(String).join(" "));
  }
  return warnings;
}

/** The gateway's schema, by introspection, as graphql-js objects. */
export async function fetchSchema(url) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: getIntrospectionQuery({ specifiedByUrl: true }) }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`introspection failed: ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}

/** The types a normalising cache must be able to key: every object type with an `id` field. */
export function identifiedTypes(schema) {
  return new Set(
    Object.values(schema.getTypeMap())
      .filter((type) => (isObjectType(type) || isInterfaceType(type)) && !type.name.startsWith("__"))
      .filter((type) => "id" in type.getFields() && getNamedType(type.getFields().id.type).name === "ID")
      .map((type) => type.name),
  );
}

/**
 * Walk response data and find identity problems a normalising cache would suffer from: an `id`
 * that is not a string, and two different objects (another `__typename`, or another value of a
 * field both selected) under one id. Ids are global, so one id never names two objects.
 */
export function identityProblems(results) {
  const seen = new Map();
  const problems = [];
  let objects = 0;
  const visit = (value) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== "object") return;
    if ("__typename" in value && "id" in value && value.id !== null) {
      objects += 1;
      if (typeof value.id !== "string") {
        problems.push(`${value.__typename}.id is ${typeof value.id} (${value.id}), not a string`);
      }
      const before = seen.get(String(value.id));
      if (before === undefined) {
        seen.set(String(value.id), value);
      } else {
        for (const [field, now] of Object.entries(value)) {
          if (field in before && !isObject(now) && JSON.stringify(before[field]) !== JSON.stringify(now)) {
            problems.push(
              `id ${value.id}: ${before.__typename}.${field}=${JSON.stringify(before[field])} ` +
                `but ${value.__typename}.${field}=${JSON.stringify(now)}`,
            );
          }
        }
      }
    }
    Object.values(value).forEach(visit);
  };
  visit(results);
  return { objects, distinct: seen.size, problems: [...new Set(problems)] };
}

function isObject(value) {
  return value !== null && typeof value === "object";
}

/** Print the report as one JSON document on stdout (the test decodes it). */
export function printReport(report) {
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
}

/** Run `main`, turning an uncaught failure into exit status 1 with the reason on stderr. */
export function runMain(main) {
  main().then(
    // Exit once stdout is flushed: a pipe takes large reports in several writes.
    () => process.stdout.write("", () => process.exit(0)),
    (error) => {
      const body = error?.networkError?.result ?? error?.networkError?.bodyText;
      process.stderr.write(`${error?.stack ?? error}\n`);
      if (body !== undefined) process.stderr.write(`response: ${JSON.stringify(body)}\n`);
      process.exit(1);
    },
  );
}
