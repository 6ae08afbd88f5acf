"""Python's cyclic garbage collector run from the Qt event loop's top, never inside a Qt callback.

Left automatic, the collector runs whenever allocations pass its threshold, which in a Qt device is
usually inside an event filter or a slot; freeing a cycle that holds Qt wrappers there deletes
C++ objects Qt is still delivering to, and the process dies at random (seen as "none_dealloc" and
segfaults in long kiosk and caller runs). The approach is calibre's: turn automatic collection off
and check the same thresholds from a timer."""
from __future__ import annotations

import gc

INTERVAL_MS = 1000


def collect_from_event_loop(app, interval_ms: int = INTERVAL_MS):
    """Stop automatic collection and collect from a timer owned by `app` (a QCoreApplication)."""
    from PySide6.QtCore import QTimer

    threshold = gc.get_threshold()
    gc.disable()

    def check() -> None:
        young, middle, old = gc.get_count()
        if young > threshold[0]:
            gc.collect(0)
            if middle > threshold[1]:
                gc.collect(1)
                if old > threshold[2]:
                    gc.collect(2)

    timer = QTimer(app)
    timer.timeout.connect(check)
    timer.start(interval_ms)
    return timer
