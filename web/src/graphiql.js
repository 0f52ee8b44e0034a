// The offline GraphiQL page's script: GraphiQL on the endpoint that served the page, with Monaco's
// workers loaded from beside this bundle (never from a CDN). Subscriptions run over GraphQL over SSE
// (graphql-sse), so they carry the Headers editor's Authorization exactly as queries do.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { getOperationAST, parse } from 'graphql';
import { createClient } from 'graphql-sse';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import '@graphiql/react/font/roboto.css';
import '@graphiql/react/font/fira-code.css';

const WORKERS = { json: 'json.worker.js', graphql: 'graphql.worker.js' };

globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = WORKERS[label] ?? 'editor.worker.js';
    return new Worker(new URL(`./workers/${file}`, import.meta.url));
  },
};

const DEFAULT_QUERY = `# event-gateway: one GraphQL API over Strigo, Schoology, Kona and pretix.
# Run a query with Ctrl-Enter (or the play button). With GATEWAY_API_KEYS set, add
# {"Authorization": "Bearer <key>"} in Headers below.
# Live updates: run a subscription, e.g.
#   subscription { eventChanges { kind id at event { title startsAt provider } } }
# and each change (an event created, moved or deleted) appears below as it happens.
{
  providers {
    provider
    enabled
    healthy
  }
}
`;

const url = window.location.pathname;
const httpFetcher = createGraphiQLFetcher({ url });

// Read from the text being sent, not GraphiQL's `documentAST`: that one is parsed from the editor
// with a delay, so a query typed and run at once was judged by the previous text (and a subscription
// went out as a plain POST, answered 400).
function isSubscription(params) {
  try {
    const document = parse(params.query);
    return getOperationAST(document, params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false; // not parseable: let the server say why
  }
}

// Each subscription is its own SSE stream (distinct connections mode); GraphiQL's stop button ends it.
function subscribe(params, headers) {
  const client = createClient({ url, headers: headers ?? {}, retryAttempts: 0 });
  return client.iterate({
    query: params.query,
    variables: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
  });
}

const fetcher = (params, opts) =>
  isSubscription(params) ? subscribe(params, opts?.headers) : httpFetcher(params, opts);
const root = createRoot(document.getElementById('graphiql'));
root.render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: DEFAULT_QUERY,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
  }),
);
