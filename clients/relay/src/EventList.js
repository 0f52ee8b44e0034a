// The federated `events` list, paged forwards with Relay's connection handler.
import { graphql } from "relay-runtime";

export const EventList = graphql`
  fragment EventList_query on Query
  @refetchable(queryName: "EventListPaginationQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 50 }, after: { type: "String" }) {
    events(first: $first, after: $after) @connection(key: "EventList_events") {
      __id
      edges {
        node {
          id
          ...EventCard_event
        }
      }
    }
  }
`;

export const AppQuery = graphql`
  query AppQuery {
    ...EventList_query
  }
`;
