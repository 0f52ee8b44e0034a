"""One client per upstream API: auth, paths, paging and batch-load functions; plain JSON out."""
