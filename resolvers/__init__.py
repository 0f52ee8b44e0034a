"""How each root field is answered; I/O only through the context's clients and loaders."""
