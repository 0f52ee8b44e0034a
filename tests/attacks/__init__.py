"""Outside attacks on the second wave's compiled execution: `BatchedLoad` deferral, computed
attributes read inline, `RequestLoader`'s primed values, the lane, compression and the lazy
disconnect watcher. What they found is fixed (each test's docstring says what); what held is kept."""
