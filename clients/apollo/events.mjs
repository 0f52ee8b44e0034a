// Apollo Client 3 as a frontend sets it up: InMemoryCache with no custom keyFields, `events` paged
// with relayStylePagination(), the persisted-query link in front of the HTTP link.
//
//   node apollo/events.mjs <graphql url> page post|get|none   pages `events` (persisted queries
//                                                             sent by POST, by GET, or not at all)
//   node apollo/events.mjs <graphql url> partial          one provider failing: both error policies
//   node apollo/events.mjs <graphql url> batch <id> ...   one `node` query per id through BatchHttpLink
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev/index.js";
import { BatchHttpLink } from "@apollo/client/link/batch-http/index.js";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries/index.js";
import { relayStylePagination } from "@apollo/client/utilities/index.js";
import { isAbstractType } from "graphql";
import {
  captureWarnings,
  fetchSchema,
  identifiedTypes,
  identityProblems,
  printReport,
  recordingFetch,
  runMain,
} from "../lib/report.mjs";
import { eventFragment } from "../lib/selection.mjs";

const [url, command, ...args] = process.argv.slice(2);
// Warnings in words rather than as links to Apollo's error page.
loadDevMessages();
loadErrorMessages();
const PAGE_SIZE = 25;

/**
 * Which object types each interface stands for: Apollo matches a fragment on an interface
 * (`... on Event`, `... on Node`) only with this, and silently writes nothing for it without.
 */
function possibleTypes(schema) {
  return Object.fromEntries(
    Object.values(schema.getTypeMap())
      .filter((type) => isAbstractType(type) && !type.name.startsWith("__"))
      .map((type) => [type.name, schema.getPossibleTypes(type).map((possible) => possible.name)]),
  );
}

/** The client; `persisted` is "post" or "get" (hash-only requests by GET), or "none". */
function client(schema, recording, persisted = "post") {
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  const http = new HttpLink({ uri: url, fetch: recording.fetch });
  return new ApolloClient({
    link:
      persisted === "none"
        ? http
        : createPersistedQueryLink({ sha256, useGETForHashedQueries: persisted === "get" }).concat(http),
    cache: new InMemoryCache({
      possibleTypes: possibleTypes(schema),
      typePolicies: { Query: { fields: { events: relayStylePagination(["filter"]) } } },
    }),
  });
}

function pageQuery(schema, name) {
  return gql`
    query ${name}($first: Int!, $after: String) {
      events(first: $first, after: $after) {
        edges { cursor node { ...EventFields } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
    ${eventFragment(schema)}
  `;
}

/** Normalised entries must be keyed `Typename:id`; no object of a type with an id embedded. */
function cacheProblems(extracted, identified) {
  const problems = [];
  const visit = (value, where) => {
    if (Array.isArray(value)) return value.forEach((item) => visit(item, where));
    if (value === null || typeof value !== "object" || "__ref" in value) return;
    if (identified.has(value.__typename)) problems.push(`${value.__typename} embedded in ${where}, not keyed`);
    Object.values(value).forEach((item) => visit(item, where));
  };
  for (const [key, entry] of Object.entries(extracted)) {
    if (key !== "ROOT_QUERY" && key !== "ROOT_MUTATION" && key !== `${entry.__typename}:${entry.id}`) {
      problems.push(`entry ${key} is not keyed __typename:id`);
    }
    Object.values(entry).forEach((value) => visit(value, key));
  }
  return problems;
}

async function page() {
  const warnings = captureWarnings();
  const schema = await fetchSchema(url);
  const recording = recordingFetch();
  const [method] = args;
  const apollo = client(schema, recording, method);
  // One operation name per transport, so each run starts with a hash the gateway has not seen.
  const query = pageQuery(schema, `ApolloEventPage_${method}`);
  const events = apollo.watchQuery({ query, variables: { first: PAGE_SIZE } });
  let subscription;
  let current = await new Promise((resolve, reject) => {
    subscription = events.subscribe({ next: (result) => !result.loading && resolve(result), error: reject });
  });
  let pages = 1;
  while (current.data.events.pageInfo.hasNextPage) {
    await events.fetchMore({ variables: { after: current.data.events.pageInfo.endCursor } });
    current = events.getCurrentResult();
    pages += 1;
  }
  subscription.unsubscribe();
  const responses = recording.bodies.filter((body) => body?.data).map((body) => body.data);
  // What relayStylePagination merged under the one `events` field, as the cache holds it.
  const merged = current.data;
  const extracted = apollo.cache.extract();
  printReport({
    pages,
    pagedIds: responses.flatMap((data) => data.events.edges.map((edge) => edge.node.id)),
    mergedIds: merged.events.edges.map((edge) => edge.node.id),
    mergedPageInfo: merged.events.pageInfo,
    cacheEntries: Object.keys(extracted).length,
    cacheProblems: cacheProblems(extracted, identifiedTypes(schema)),
    identity: identityProblems(responses),
    exchanges: recording.exchanges,
    warnings,
  });
}

async function partial() {
  const schema = await fetchSchema(url);
  const query = pageQuery(schema, "ApolloPartialEvents");
  const variables = { first: 50 };
  const all = await client(schema, recordingFetch(), "none").query({ query, variables, errorPolicy: "all" });
  let byDefault;
  try {
    const result = await client(schema, recordingFetch(), "none").query({ query, variables });
    byDefault = { threw: false, events: result.data?.events?.edges?.length ?? null };
  } catch (error) {
    byDefault = { threw: true, codes: error.graphQLErrors.map((e) => e.extensions?.code) };
  }
  printReport({
    errorPolicyAll: {
      providers: [...new Set(all.data.events.edges.map((edge) => edge.node.provider))].sort(),
      errors: all.errors.map((error) => ({
        code: error.extensions?.code,
        provider: error.extensions?.provider,
        path: error.path,
      })),
    },
    errorPolicyNone: byDefault,
  });
}

/** Queries issued together leave as one HTTP request with a JSON array body. */
async function batch() {
  const recording = recordingFetch();
  const apollo = new ApolloClient({
    link: new BatchHttpLink({ uri: url, fetch: recording.fetch, batchMax: 10, batchInterval: 20 }),
    cache: new InMemoryCache(),
  });
  const query = gql`
    query ApolloBatchedNode($id: ID!) {
      node(id: $id) { id ... on Event { title } }
    }
  `;
  const results = await Promise.all(args.map((id) => apollo.query({ query, variables: { id } })));
  printReport({
    nodes: results.map((result) => result.data.node),
    exchanges: recording.exchanges,
  });
}

runMain({ page, partial, batch }[command]);
