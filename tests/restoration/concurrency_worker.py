"""Workers for the PostGIS concurrency tests: a plain module (not a test file) so that
``multiprocessing`` spawn children can import it by name."""
from __future__ import annotations

import time


def reserve(url, barrier, project_id, case_id, amount, queue):
    from restoration.bank import reserve as _reserve
    from restoration.errors import InsufficientCapacityError
    from restoration.store import open_store
    store = open_store(url, create=False)
    barrier.wait()  # every process asks at the same moment
    try:
        a = _reserve(store, project_id, case_id, amount, actor="racer")
        queue.put(("ok", a["allocation_id"]))
    except InsufficientCapacityError as exc:
        queue.put(("insufficient", str(exc)))
    except Exception as exc:  # noqa: BLE001 - report anything else to the test
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
    store.close()


def write_case(url, barrier, case_id, writer, n, queue):
    """Append ``n`` tokens to the case's notes, each an optimistic update that retries on conflict."""
    from restoration.errors import ConflictError
    from restoration.store import open_store
    store = open_store(url, create=False)
    barrier.wait()
    conflicts = 0
    try:
        for k in range(n):
            while True:
                rec = store.get("cases", case_id)
                try:
                    with store.transaction(f"writer{writer}") as tx:
                        tx.update("cases", case_id, {"notes": (rec["notes"] or "") + f"|w{writer}.{k}"},
                                  expected_version=rec["version"])
                    break
                except ConflictError:
                    conflicts += 1
        queue.put(("writer", conflicts))
    except Exception as exc:  # noqa: BLE001
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
    store.close()


def read_case(url, barrier, case_id, v0, seconds, queue):
    """Read the case again and again while the writers work: every read is one committed state
    (one token per version step) and versions never go back."""
    from restoration.store import open_store
    store = open_store(url, create=False)
    barrier.wait()
    last, reads, bad = 0, 0, []
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            rec = store.get("cases", case_id)
            tokens = (rec["notes"] or "").count("|w")
            if rec["version"] < last:
                bad.append(f"version went back {last} -> {rec['version']}")
            if tokens != rec["version"] - v0:
                bad.append(f"version {rec['version']} with {tokens} tokens")
            last = rec["version"]
            reads += 1
        queue.put(("reader", reads, bad))
    except Exception as exc:  # noqa: BLE001
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
    store.close()
