// A mutation whose new event is appended to the list already in the store.
import { graphql } from "relay-runtime";

export const CreateStrigoEvent = graphql`
  mutation CreateStrigoEventMutation($input: CreateStrigoEventInput!, $connections: [ID!]!) {
    createStrigoEvent(input: $input) {
      event @appendNode(connections: $connections, edgeTypeName: "EventEdge") {
        id
        ...EventCard_event
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;
