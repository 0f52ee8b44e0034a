"""One client per upstream API, with its settings section: auth, paths, paging, batch-load functions;
plain JSON out. `base` is the seam every provider meets."""
