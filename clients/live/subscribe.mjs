// Subscribes to the gateway's eventChanges with a real client library and prints what arrives, one JSON
// object a line: {"connected": transport} once connected, then each change (or {"errors": [...]}).
//
//   node subscribe.mjs --url http://127.0.0.1:8000/graphql --transport ws|sse [--key KEY] [--count N]
//                      [--filter '{"providers": ["STRIGO"]}']
//
// --transport ws: graphql-ws (graphql-transport-ws), the key in connection_init's payload, as browsers
// send it. --transport sse: graphql-sse (distinct connections mode), the key in the Authorization header.
import { parseArgs } from 'node:util';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

const QUERY = `subscription Changes($filter: EventFilter) {
  eventChanges(filter: $filter) { kind id at event { id title startsAt } }
}`;

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8000/graphql' },
    transport: { type: 'string', default: 'ws' },
    key: { type: 'string' },
    count: { type: 'string', default: '1' },
    filter: { type: 'string' },
  },
});
const wanted = Number(values.count);
const variables = values.filter ? { filter: JSON.parse(values.filter) } : {};
const authorization = values.key ? `Bearer ${values.key}` : undefined;

function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function subscribeOverWebSocket() {
  const client = createWsClient({
    url: values.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : undefined,
    retryAttempts: 0,
    on: { connected: () => emit({ connected: 'ws' }) },
  });
  return { results: client.iterate({ query: QUERY, variables }), close: () => client.dispose() };
}

function subscribeOverSse() {
  const client = createSseClient({
    url: values.url,
    headers: authorization ? { Authorization: authorization } : {},
    retryAttempts: 0,
    on: { connected: () => emit({ connected: 'sse' }) },
  });
  return { results: client.iterate({ query: QUERY, variables }), close: () => client.dispose() };
}

const subscription = values.transport === 'sse' ? subscribeOverSse() : subscribeOverWebSocket();
let received = 0;
try {
  for await (const result of subscription.results) {
    if (result.errors) {
      emit({ errors: result.errors });
      process.exitCode = 1;
      break;
    }
    emit(result.data.eventChanges);
    received += 1;
    if (received >= wanted) break;
  }
} finally {
  await subscription.close();
}
