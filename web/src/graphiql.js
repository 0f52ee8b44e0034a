// The offline GraphiQL page's script: GraphiQL on the endpoint that served the page, with Monaco's
// workers loaded from beside this bundle (never from a CDN).
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
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
{
  providers {
    provider
    enabled
    healthy
  }
}
`;

const fetcher = createGraphiQLFetcher({ url: window.location.pathname });
const root = createRoot(document.getElementById('graphiql'));
root.render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: DEFAULT_QUERY,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
  }),
);
