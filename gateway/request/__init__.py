"""What one GraphQL request owns: its typed context, its dataloaders, its tie to the HTTP client, and
the clients it calls through (the deployment's, or those of the credentials its caller brought)."""
