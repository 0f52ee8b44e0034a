// @urql/core with its default exchanges (document cache, fetch), and with the persisted exchange.
//
//   node urql/events.mjs <graphql url> basic '<CreateStrigoEventInput JSON>'   query, mutate, query
//   node urql/events.mjs <graphql url> persisted                              APQ by POST, then GET
//   node urql/events.mjs <graphql url> partial                                one provider failing
import { createHash } from "node:crypto";
import { cacheExchange, createClient, fetchExchange, gql } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import { printReport, recordingFetch, runMain } from "../lib/report.mjs";

const [url, command, inputJson] = process.argv.slice(2);

const EVENTS = gql`
  query UrqlEvents($first: Int!, $filter: EventFilter) {
    events(first: $first, filter: $filter) {
      edges { node { id provider title } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const CREATE = gql`
  mutation UrqlCreateStrigoEvent($input: CreateStrigoEventInput!) {
    createStrigoEvent(input: $input) {
      event { id title }
      userErrors { field message code }
    }
  }
`;

function client(recording, exchanges = [cacheExchange, fetchExchange]) {
  return createClient({ url, fetch: recording.fetch, exchanges, preferGetMethod: false });
}

function summary(result) {
  return {
    data: result.data ?? null,
    error: result.error
      ? {
          networkError: result.error.networkError?.message ?? null,
          graphQLErrors: result.error.graphQLErrors.map((error) => ({
            message: error.message,
            code: error.extensions?.code,
            provider: error.extensions?.provider,
          })),
        }
      : null,
  };
}

async function basic() {
  const recording = recordingFetch();
  const urql = client(recording);
  // Strigo's events only: the list then holds the type the mutation returns, whatever the seed data.
  const strigoOnly = { first: 5, filter: { providers: ["STRIGO"] } };
  const first = await urql.query(EVENTS, strigoOnly).toPromise();
  const cached = await urql.query(EVENTS, strigoOnly).toPromise();
  const created = await urql.mutation(CREATE, { input: JSON.parse(inputJson) }).toPromise();
  // The document cache drops every result that mentioned a type the mutation returned.
  const after = await urql.query(EVENTS, strigoOnly).toPromise();
  printReport({
    first: summary(first),
    cachedFromCache: cached.operation.context.meta?.cacheOutcome === "hit",
    created: summary(created),
    afterMutation: summary(after),
    exchanges: recording.exchanges,
  });
}

async function persisted() {
  const sha256 = async (text) => createHash("sha256").update(text).digest("hex");
  const report = {};
  for (const [name, preferGetForPersistedQueries] of [
    ["post", false],
    ["get", true],
  ]) {
    const recording = recordingFetch();
    const exchanges = [persistedExchange({ generateHash: sha256, preferGetForPersistedQueries }), fetchExchange];
    const urql = client(recording, exchanges);
    // One document per transport (its name differs), so each starts with a hash the gateway lacks.
    const query = gql(EVENTS.loc.source.body.replace("UrqlEvents", `UrqlPersisted_${name}`));
    const miss = await urql.query(query, { first: 3 }).toPromise();
    const hit = await urql.query(query, { first: 3 }, { requestPolicy: "network-only" }).toPromise();
    report[name] = { miss: summary(miss), hit: summary(hit), exchanges: recording.exchanges };
  }
  printReport(report);
}

async function partial() {
  const result = await client(recordingFetch()).query(EVENTS, { first: 50 }).toPromise();
  printReport(summary(result));
}

runMain({ basic, persisted, partial }[command]);
