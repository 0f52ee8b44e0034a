// relay-runtime executing what relay-compiler generated: the connection paged to its end and merged
// by the connection handler, a node refetched by id, a mutation appending to the connection.
//
//   node relay/run.mjs <graphql url> <project dir compiled> text|persisted '<CreateStrigoEventInput JSON>'
// `text` sends each operation's text; `persisted` sends only its id (`doc_id`, the document's hash).
//   node relay/run.mjs <graphql url> <project dir compiled> partial
// reads the list while a provider fails: what a component would get, and the field errors.
import { createRequire } from "node:module";
import { join } from "node:path";
import RelayRuntime from "relay-runtime";
import { captureWarnings, identityProblems, printReport, recordingFetch, runMain } from "../lib/report.mjs";

const {
  ConnectionHandler,
  Environment,
  Network,
  RecordSource,
  Store,
  commitMutation,
  createOperationDescriptor,
  fetchQuery,
  getSelector,
} = RelayRuntime;
const [url, project, mode, inputJson] = process.argv.slice(2);
/** A compiled artifact (CommonJS: `eagerEsModules: false`, so node runs them without a bundler). */
const artifact = async (name) =>
  createRequire(import.meta.url)(join(project, "src", "__generated__", `${name}.graphql.js`));

function environment(recording) {
  const network = Network.create(async (params, variables) => {
    // Relay's own convention for a persisted operation: its id as `doc_id`, no text.
    const body =
      mode === "persisted"
        ? { operationName: params.name, variables, doc_id: params.id }
        : { operationName: params.name, variables, query: params.text };
    const response = await recording.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify(body),
    });
    return response.json();
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

/** The ids of the events the connection record holds, in order. */
function connectionIds(env, connectionId) {
  const source = env.getStore().getSource();
  return source.get(connectionId).edges.__refs.map((edgeId) => source.get(source.get(edgeId).node.__ref).id);
}

function pageInfoOf(env, connectionId) {
  const source = env.getStore().getSource();
  return source.get(source.get(connectionId).pageInfo.__ref);
}

/** Store records: every record keyed by an id holds that id (no `client:` key for an identified object). */
function storeProblems(env) {
  const source = env.getStore().getSource();
  return source
    .getRecordIDs()
    .map((dataId) => [dataId, source.get(dataId)])
    .filter(([dataId, record]) => !dataId.startsWith("client:") && record.id !== dataId)
    .map(([dataId, record]) => `record ${dataId} (${record.__typename}) holds id ${record.id}`);
}

async function main() {
  const warnings = captureWarnings();
  const recording = recordingFetch();
  const env = environment(recording);
  const AppQuery = await artifact("AppQuery");
  const PageQuery = await artifact("EventListPaginationQuery");
  await fetchQuery(env, AppQuery, {}).toPromise();
  const connectionId = ConnectionHandler.getConnectionID("client:root", "EventList_events");
  let pageInfo = pageInfoOf(env, connectionId);
  let pages = 1;
  while (pageInfo.hasNextPage) {
    await fetchQuery(env, PageQuery, { first: 50, after: pageInfo.endCursor }).toPromise();
    pageInfo = pageInfoOf(env, connectionId);
    pages += 1;
  }
  const merged = connectionIds(env, connectionId);

  await fetchQuery(env, await artifact("EventCardRefetchQuery"), { id: merged.at(-1) }).toPromise();
  const refetched = recording.bodies.at(-1);

  const mutation = await artifact("CreateStrigoEventMutation");
  const created = await new Promise((resolve, reject) =>
    commitMutation(env, {
      mutation,
      variables: { input: JSON.parse(inputJson), connections: [connectionId] },
      onCompleted: (response, errors) => resolve({ response, errors: errors ?? null }),
      onError: reject,
    }),
  );

  printReport({
    pages,
    mergedIds: merged,
    refetched: refetched.data?.node ?? null,
    created: created.response.createStrigoEvent,
    mutationErrors: created.errors,
    appendedIds: connectionIds(env, connectionId).slice(merged.length),
    storeProblems: storeProblems(env),
    identity: identityProblems(recording.bodies.map((body) => body?.data)),
    exchanges: recording.exchanges,
    warnings,
  });
}

/** A provider failing: the query still resolves, and reading the list as a component does. */
async function partial() {
  const warnings = captureWarnings();
  const recording = recordingFetch();
  const env = environment(recording);
  const AppQuery = await artifact("AppQuery");
  await fetchQuery(env, AppQuery, {}).toPromise();
  const root = env.lookup(createOperationDescriptor(AppQuery, {}).fragment);
  const list = env.lookup(getSelector(await artifact("EventList_query"), root.data));
  printReport({
    edges: list.data.events.edges.length,
    fieldErrors: (list.fieldErrors ?? []).map((error) => ({
      kind: error.kind,
      fieldPath: error.fieldPath,
      shouldThrow: error.shouldThrow,
    })),
    // What only the network layer sees: the fetch function is where an app notices them.
    networkErrors: recording.bodies[0].errors.map((error) => error.extensions),
    warnings,
  });
}

runMain(mode === "partial" ? partial : main);
