"""`python -m linkup_mcp`, with some performance tricks switched off: the "without" side of
benchmarks/tricks.py.

    BENCH_WITHOUT=name,name python benchmarks/variant_server.py ROOT [linkup-mcp args]

ROOT is the checkout whose `linkup_mcp` runs. Each name in BENCH_WITHOUT replaces one trick with
the plain way of doing the same thing, before the server starts; no name runs the server as is
(through this launcher too, so every variant pays the same start-up). Only the tricks that stay
are here (benchmarks/RESULTS.md, "Performance decisions"). Not a test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any


def _eager_http_client() -> None:
    """the HTTP client (and its TLS context) built at start-up"""
    from linkup_mcp.api.client import LinkupClient

    init = LinkupClient.__init__

    def eager(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._http  # noqa: B018 - builds the client now

    LinkupClient.__init__ = eager  # type: ignore[method-assign]


def _eager_jsonschema() -> None:
    """jsonschema imported at start-up"""
    import jsonschema  # noqa: F401


def _no_gc_freeze() -> None:
    """no gc.freeze()"""
    import gc

    gc.freeze = lambda: None


PATCHES: dict[str, Callable[[], None]] = {
    "lazy-http-client": _eager_http_client,
    "lazy-jsonschema": _eager_jsonschema,
    "gc-freeze": _no_gc_freeze,
}


def main() -> None:
    root, *args = sys.argv[1:]
    sys.path.insert(0, root)
    os.chdir(root)
    for name in filter(None, os.environ.get("BENCH_WITHOUT", "").split(",")):
        PATCHES[name]()
    from linkup_mcp.__main__ import main as linkup_main

    sys.exit(linkup_main(args))


if __name__ == "__main__":
    main()
