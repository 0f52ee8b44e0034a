"""The GraphQL contract: types, inputs and payloads, no resolvers (`gateway.app` merges the roots)."""
