"""``stabgan explore``: an interactive explorer in the browser (a Bokeh server on 127.0.0.1),
and ``stabgan explore --static OUT.html``: one method's explorer as a self-contained page.

Bokeh is an optional extra (``pip install 'stabgan[explore]'``) and is imported only inside
this subpackage, and only when the explorer is started, so ``import stabgan`` stays light.
The page loads BokehJS from the server's own static files: nothing comes from the network.
"""
from __future__ import annotations

from .._errors import InputError

INSTALL_HINT = ("stabgan explore needs Bokeh, which is not installed: "
                "pip install 'stabgan[explore]'")


def serve(port: int = 5006, open_browser: bool = True, method_file: str | None = None) -> int:
    """Serve the explorer on ``http://127.0.0.1:PORT/`` until interrupted; return 0.

    Parameters
    ----------
    port : int
        The loopback port (1 to 65535).
    open_browser : bool
        Open the page in the default browser once the server listens.
    method_file : str, optional
        A method of the user's own (TOML, as ``stabgan analyze --method-file`` reads it),
        offered beside the catalogue.

    Raises
    ------
    InputError
        When Bokeh is not installed (the message says how to install it), the port is bad
        or the method file is (the loader's one-line message), before anything is served.
    """
    try:
        import bokeh  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    from ._offered import load_own
    own = None if method_file is None else load_own(method_file)
    from ._server import run
    return run(port, open_browser, own)


def write_static_page(m, out: str, **options) -> str:
    """Write the static explorer page of method ``m`` to ``out``; return the path written.

    Parameters
    ----------
    m : Method
        The method, from :func:`stabgan.method`.
    out : str
        The .html file (its directory must exist); written atomically.
    **options
        ``scheme``, ``h``, ``steps``, ``n_g``, ``n_d``, ``order``: see
        :func:`stabgan.explore.static.write_static`.

    Returns
    -------
    str
        The absolute path of the page.

    Raises
    ------
    InputError
        When Bokeh is not installed (the message says how to install it), for bad input, or
        for a method the page cannot evaluate.
    """
    from ._target import check_options, check_target
    check_target(out)   # bad input is named before anything else
    check_options(options.get("scheme", "simgd"), options.get("h", 0.1),
                  options.get("steps", 200))
    try:
        import bokeh  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    from .static import write_static
    return write_static(m, out, **options)
