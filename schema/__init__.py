"""The GraphQL contract: types, inputs, payloads and root types. Built by `schema.build`."""
