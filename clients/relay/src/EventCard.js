// One event, refetchable by its global id through `node(id:)`.
import { graphql } from "relay-runtime";

export const EventCard = graphql`
  fragment EventCard_event on Event @refetchable(queryName: "EventCardRefetchQuery") {
    id
    provider
    title
    startsAt
    ... on KonaCalendarEvent {
      space {
        id
        name
      }
    }
  }
`;
