"""The `Mutation` root: every registered provider's create, update and delete."""

from __future__ import annotations

from strawberry.tools import merge_types

from resolvers.registry import PROVIDERS

Mutation = merge_types("Mutation", tuple(api.mutation for api in PROVIDERS))
