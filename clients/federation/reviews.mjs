// A second subgraph, as small as a real one gets: reviews of Strigo events. It extends the
// gateway's `StrigoEvent` entity with `reviews` and points each review back at its event, so a
// supergraph query crosses both subgraphs in both directions.
//
//   node federation/reviews.mjs <port> <global id of a Strigo event>
import { createServer } from "node:http";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql, parse } from "graphql";

const [port, eventId] = process.argv.slice(2);

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  "A learner's verdict on an event."
  type Review @key(fields: "id") {
    id: ID!
    rating: Int!
    text: String!
    event: StrigoEvent!
  }

  "The gateway's Strigo event, known here by its key only."
  type StrigoEvent @key(fields: "id") {
    id: ID!
    reviews: [Review!]!
  }

  type Query {
    reviews: [Review!]!
  }
`);

const REVIEWS = [
  { id: "review-1", rating: 5, text: "Clear and hands-on.", eventId },
  { id: "review-2", rating: 4, text: "Good labs, a bit fast.", eventId },
];

const resolvers = {
  Query: { reviews: () => REVIEWS },
  Review: {
    __resolveReference: (reference) => REVIEWS.find((review) => review.id === reference.id),
    event: (review) => ({ __typename: "StrigoEvent", id: review.eventId }),
  },
  StrigoEvent: {
    reviews: (event) => REVIEWS.filter((review) => review.eventId === event.id),
  },
};

const schema = buildSubgraphSchema({ typeDefs, resolvers });

const server = createServer(async (request, response) => {
  let body = "";
  for await (const chunk of request) body += chunk;
  const { query, variables, operationName } = JSON.parse(body || "{}");
  const result = await graphql({ schema, source: query, variableValues: variables, operationName });
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(result));
});

server.listen(Number(port), "127.0.0.1");
