"""Request ids are unique, 32 hex digits, and say nothing of how many requests came before."""

from __future__ import annotations

import os

from gateway.request.request_ids import new_request_id


def test_ids_are_unique_hex_and_not_a_sequence() -> None:
    ids = [new_request_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(value) == 32 and int(value, 16) >= 0 for value in ids)
    # No shared prefix or suffix a counter would leave, and no order.
    assert len({value[:8] for value in ids[:100]}) > 90
    assert len({value[-8:] for value in ids[:100]}) > 90
    assert ids != sorted(ids)


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its first ids, to the parent
        os.close(read)
        os.write(write, ",".join(new_request_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split(","))
    os.waitpid(pid, 0)
    parent = {new_request_id() for _ in range(50)}
    assert len(child) == 50
    assert not child & parent
