"""What one GraphQL request owns: its typed context, its dataloaders, and its tie to the HTTP client."""
