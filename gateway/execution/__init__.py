"""Compiled GraphQL execution: cached per-operation plans that read plain fields directly.

`compiled_execution_context()` gives the class to pass as strawberry's `execution_context_class`.
"""

from gateway.execution.executor import CompiledExecutionContext, compiled_execution_context

__all__ = ["CompiledExecutionContext", "compiled_execution_context"]
