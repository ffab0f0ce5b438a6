"""The explorer's stability map: the spectral radius per step of the chosen scheme over two
chosen axes (a method parameter, the step size h or h_g/h_d, a continuous scheme option such
as momentum), from :func:`stabgan.stability_map` in a worker process, with the current
setting marked.

The map depends on everything but the values of its two axes, so moving a slider of an axis
only moves the marker; each axis runs over its slider's range.
"""
from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
from bokeh.layouts import column, row
from bokeh.models import ColorBar, ColumnDataSource, Div, LinearColorMapper, Select
from bokeh.palettes import Blues9, Reds9
from bokeh.plotting import figure
from bokeh.plotting.contour import contour_data

from .._errors import InputError
from .._options import ADAPTIVE, OPTIMIZER_OPTIONS, SCHEME_OPTIONS, refuse_adaptive
from ._controls import STEP_NAMES, NumberControl
from ._jobs import Channel
from ._work import map_grid

#: Grid points per axis.
POINTS = 101
#: Colours of the radius on [0, 2] in 14 bins: blues below 1 (darker: faster), reds above
#: (darker: faster divergence); no near-white bin, so the two sides never look alike.
PALETTE = Blues9[:7] + tuple(reversed(Reds9))[2:]
#: The continuous scheme options that can be an axis (the step sizes apart).
OPTION_AXES = tuple(o.name for o in SCHEME_OPTIONS
                    if o.axis == "continuous" and o.name not in STEP_NAMES)

_EMPTY = {"image": [], "x": [], "y": [], "dw": [], "dh": [], "xs": [], "ys": []}


class MapView:
    """The map, its two axis selects, its busy and message lines (one session)."""

    def __init__(self, doc, on_axes: Callable[[], None]) -> None:
        self.x = Select(title="map: x axis", width=160, css_classes=["sg-map-x"])
        self.y = Select(title="map: y axis", width=160, css_classes=["sg-map-y"])
        self._on_axes, self._offering = on_axes, False
        for s in (self.x, self.y):
            s.on_change("value", self._axes_changed)
        self.busy = Div(text="", css_classes=["sg-map-busy"], styles={"color": "#a60"})
        self.message = Div(text="", width=460, css_classes=["sg-map-message"])
        # one row: the radius as an image (y by x), its placement, and the axes' values
        self.image = ColumnDataSource(dict(_EMPTY), name="sg-map-image")
        self.line = ColumnDataSource({"xs": [], "ys": []})
        self.marker = ColumnDataSource({"x": [], "y": []}, name="sg-map-marker")
        mapper = LinearColorMapper(palette=PALETTE, low=0, high=2,
                                   nan_color="#888")
        f = figure(title="stability map: spectral radius per step (black line: 1)",
                   width=460, height=400, x_range=(0, 1), y_range=(0, 1),
                   tools="pan,wheel_zoom,reset",
                   css_classes=["sg-map"])
        f.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.image,
                color_mapper=mapper)
        f.multi_line("xs", "ys", source=self.line, color="black", line_width=1.5)
        f.scatter("x", "y", source=self.marker, marker="star", size=20, fill_color="#ffd700",
                  line_color="black", line_width=1.5)
        f.add_layout(ColorBar(color_mapper=mapper, width=10, title="rho"), "right")
        self.figure = f
        self.channel = Channel(doc, "map", self.set_busy)
        self._shown = None
        self.layout = column(row(self.x, self.y), self.busy, self.message, f)

    def set_busy(self, on: bool) -> None:
        """Show or clear the busy line."""
        self.busy.text = "computing the stability map ..." if on else ""

    def _axes_changed(self, attr, old, new) -> None:
        if not self._offering:  # the user chose an axis (not :meth:`offer`)
            self._on_axes()

    def offer(self, names: list[str]) -> None:
        """Offer ``names`` as axes; keep the chosen ones where still offered (else the
        first name for x and the next for y)."""
        x = self.x.value if self.x.value in names else (names[0] if names else "")
        rest = [n for n in names if n != x]
        y = self.y.value if self.y.value in rest else (rest[0] if rest else "")
        self._offering = True
        try:
            self.x.options, self.y.options = names, names
            self.x.value, self.y.value = x, y
        finally:
            self._offering = False

    def _clear(self, message: str) -> None:
        self.channel.drop()
        self._shown = None
        self.message.text = html.escape(message)
        self.image.data = dict(_EMPTY)
        self.line.data = {"xs": [], "ys": []}
        self.marker.data = {"x": [], "y": []}

    def update(self, ref, mid: str, params: dict[str, str], scheme: str,
               options: dict[str, str], controls: dict[str, NumberControl]) -> None:
        """Show the map of this setting (cached, or asked of the worker) and mark it.

        Parameters
        ----------
        ref, mid
            The method (a catalogue id, or the user's spec) and its id.
        params : dict
            The method parameters (and ``f``) as typed.
        scheme : str
            The scheme.
        options : dict
            The scheme options given, as typed.
        controls : dict
            Each name offered as an axis -> its control (its slider's range is the axis).
        """
        if scheme == "continuous":
            return self._clear("The stability map is of a discrete scheme's update operator: "
                               "choose a discrete scheme.")
        if scheme in ADAPTIVE:
            try:
                refuse_adaptive(scheme, "stability_map")
            except InputError as e:  # the package's reason, as stabgan map gives it
                return self._clear(str(e))
        xn, yn = self.x.value, self.y.value
        if not xn or not yn or xn == yn:
            return self._clear("The map needs two different axes"
                               + (" (choose two step sizes to map h_g against h_d)."
                                  if len(self.x.options) < 2 else "."))
        xs = np.linspace(*controls[xn].span, POINTS)
        ys = np.linspace(*controls[yn].span, POINTS)
        self.mark(controls)
        rest = tuple(sorted((k, v) for k, v in params.items() if k not in (xn, yn)))
        fixed = tuple(sorted((k, v) for k, v in options.items()
                             if k not in (xn, yn) and k not in OPTIMIZER_OPTIONS))
        key = (mid, rest, scheme, fixed, xn, tuple(xs), yn, tuple(ys))
        if key == self._shown:
            self.channel.drop()  # what is shown is this setting's map
            return
        self.message.text = ""

        def apply(result) -> None:
            if isinstance(result, BaseException):
                self._clear(str(result) if isinstance(result, InputError)
                            else f"internal error: {result}")
                return
            self._shown = key
            self._draw(xn, xs, yn, ys, np.asarray(result, float))

        self.channel.request(key, map_grid, (ref, rest, scheme, fixed, (xn, tuple(xs)),
                                             (yn, tuple(ys))), apply)

    def mark(self, controls: dict[str, NumberControl]) -> None:
        """Put the marker at the current values of the two axes (none if one is no number)."""
        xn, yn = self.x.value, self.y.value
        x = controls[xn].number if xn in controls else None
        y = controls[yn].number if yn in controls else None
        self.marker.data = {"x": [x], "y": [y]} if None not in (x, y) else {"x": [], "y": []}

    def _draw(self, xn: str, xs: np.ndarray, yn: str, ys: np.ndarray, rho: np.ndarray) -> None:
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.data = {"image": [rho.T], "x": [xs[0] - dx / 2], "y": [ys[0] - dy / 2],
                           "dw": [xs[-1] - xs[0] + dx], "dh": [ys[-1] - ys[0] + dy],
                           "xs": [xs], "ys": [ys]}
        with np.errstate(invalid="ignore"):
            lines = contour_data(xs, ys, np.where(np.isfinite(rho.T), rho.T, 2.0),
                                 levels=[1.0], want_fill=False).line_data
        self.line.data = ({"xs": list(lines.xs), "ys": list(lines.ys)} if lines is not None
                          else {"xs": [], "ys": []})
        f = self.figure
        f.x_range.start, f.x_range.end = float(xs[0] - dx / 2), float(xs[-1] + dx / 2)
        f.y_range.start, f.y_range.end = float(ys[0] - dy / 2), float(ys[-1] + dy / 2)
        f.xaxis.axis_label, f.yaxis.axis_label = xn, yn
