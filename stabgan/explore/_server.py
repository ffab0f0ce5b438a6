"""The Bokeh server around :func:`stabgan.explore._app.build` (loopback only)."""
from __future__ import annotations

import errno
import sys
from functools import partial

from bokeh.application import Application
from bokeh.application.handlers.function import FunctionHandler
from bokeh.server.server import Server

from .._errors import InputError
from ._app import build, shutdown_pools
from ._offered import Offered


def run(port: int, open_browser: bool, own: Offered | None = None) -> int:
    """Start the server on 127.0.0.1:``port``, print its address, run until stopped.

    ``own`` is the user's method from ``--method-file``, offered beside the catalogue.
    """
    try:
        server = Server({"/": Application(FunctionHandler(partial(build, own=own)))},
                        address="127.0.0.1", port=port,
                        allow_websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
                        num_procs=1)
    except OSError as e:
        if e.errno in (errno.EADDRINUSE, errno.EACCES):
            why = "is already in use" if e.errno == errno.EADDRINUSE else "is not allowed here"
            raise InputError(f"The '--port' option of explore: port {port} on 127.0.0.1 "
                             f"{why}; choose another port (1 to 65535), e.g. "
                             f"--port {port + 1 if port < 65535 else 5006}.") from None
        raise
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
