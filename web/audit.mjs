// GraphQL-over-HTTP conformance: runs graphql-http's server audits against a URL and prints JSON.
//
// usage: node web/audit.mjs http://127.0.0.1:8000/graphql
// Prints {"results": [{id, name, requirement, status, reason?, httpStatus?, contentType?}]}; exits 0
// whenever the audits ran (the caller judges them), 2 on bad usage or a fatal audit error.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

// Each audit request gets a deadline, so a hung server fails the run instead of stalling it.
const fetchFn = (input, init = {}) => fetch(input, { ...init, signal: AbortSignal.timeout(10_000) });

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const entry = {
    id: result.id,
    name: result.name,
    requirement: result.name.split(' ', 1)[0],
    status: result.status,
  };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    entry.httpStatus = result.response.status;
    entry.contentType = result.response.headers.get('content-type');
  }
  results.push(entry);
}
process.stdout.write(`${JSON.stringify({ url, results }, null, 2)}\n`);
