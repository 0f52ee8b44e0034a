"""The gateway process, in layers: CLI and assembly (`__main__`, `app`) on top, then the HTTP edge,
one request's state, the provider clients, upstream HTTP, query limits, and the foundation
modules here (errors, settings, ids, instants, metrics). `pyproject.toml` states the layers."""
