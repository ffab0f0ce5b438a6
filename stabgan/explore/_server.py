"""The Bokeh server around :func:`stabgan.explore._app.build` (loopback only)."""
from __future__ import annotations

import sys
from functools import partial

from bokeh.application import Application
from bokeh.application.handlers.function import FunctionHandler
from bokeh.server.server import Server

from ._app import build, shutdown_pools
from ._offered import Offered


def run(port: int, open_browser: bool, own: Offered | None = None) -> int:
    """Start the server on 127.0.0.1:``port``, print its address, run until stopped.

    ``own`` is the user's method from ``--method-file``, offered beside the catalogue.
    """
    server = Server({"/": Application(FunctionHandler(partial(build, own=own)))},
                    address="127.0.0.1", port=port,
                    allow_websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
                    num_procs=1)
    server.start()
    print(f"stabgan explore: serving on http://127.0.0.1:{port}/ (Ctrl-C stops)",
          flush=True, file=sys.stdout)
    if open_browser:
        server.io_loop.add_callback(server.show, "/")
    try:
        server.io_loop.start()
    finally:
        shutdown_pools()
    return 0
