"""Live updates: change detectors that poll a provider's list and fan changes out to subscribers.

One detector per (provider, window, credential) is shared by every subscriber with that key, on
every replica: `hub` keeps the process's feeds, `detector` polls and diffs, `subscriber` buffers
one subscription's notices within bounds, and a `Coordination` says who polls and how changes
travel (`local`: this process alone; `redis_coordination`: one replica polls under a lock, every
replica receives through pub/sub).
"""
