"""The gateway process: settings, lifespan, upstream HTTP, loaders, provider clients, sandbox, CLI."""
