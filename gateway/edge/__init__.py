"""The HTTP edge: the GraphQL view, caller auth, body limits, media types, WebSocket, GraphiQL, logs."""
