"""Worker for the concurrent-reservation test: a plain module (not a test file) so that
``multiprocessing`` spawn children can import it by name."""
from __future__ import annotations


def reserve_last(path, barrier, project_id, case_id, amount, queue):
    from restoration.bank import reserve
    from restoration.errors import InsufficientCapacityError
    from restoration.store import open_store
    store = open_store(path, create=False)
    barrier.wait()  # all processes call reserve at the same moment
    try:
        a = reserve(store, project_id, case_id, amount, actor="racer")
        queue.put(("ok", a["allocation_id"]))
    except InsufficientCapacityError as exc:
        queue.put(("insufficient", str(exc)))
    except Exception as exc:  # noqa: BLE001 - report anything else to the test
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
