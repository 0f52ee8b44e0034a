"""Outside attacks on the changes of 5 December (attack3 branch): `BatchedLoad` deferral, inline
computed attributes, `RequestLoader`'s primed values, the lane, compression, the lazy disconnect
watcher and the plan cache. Failing tests are findings (see each docstring); passing ones pin what
held."""
