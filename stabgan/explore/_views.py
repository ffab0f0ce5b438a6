"""The explorer's numeric views: the phase portrait (vector field, trajectories of the ODE and
of the scheme, click to add a start), the distance to the equilibrium against the step, and
the eigenvalues in the complex plane (with the unit circle or the imaginary axis)."""
from __future__ import annotations

import numpy as np
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from ..oracles.ode import integrate
from ..oracles.simulate import simulate

#: The phase plane's extent (theta and psi in [-LIM, LIM]) and the vector field's grid.
LIM = 2.0
GRID = 17
#: A trajectory is cut where it leaves this box (a diverging run): Bokeh draws finite data.
CUT = 1e6


def _finite_prefix(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < CUT) & (np.abs(y) < CUT)
    n = len(ok) if ok.all() else int(np.argmin(ok))
    return x[:n], y[:n]


def _distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.maximum(np.hypot(x, y), 1e-300)  # a log axis draws positive numbers


class Views:
    """The phase portrait, the distance plot and the eigenvalue plot of one session."""

    def __init__(self) -> None:
        self.field = ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": []})
        self.ode = ColumnDataSource({"xs": [], "ys": []})
        self.scheme = ColumnDataSource({"xs": [], "ys": []})
        self.average = ColumnDataSource({"xs": [], "ys": []})
        self.starts = ColumnDataSource({"x": [], "y": []})
        self.dist_ode = ColumnDataSource({"xs": [], "ys": []})
        self.dist_scheme = ColumnDataSource({"xs": [], "ys": []})
        self.dist_average = ColumnDataSource({"xs": [], "ys": []})
        self.eig_src = ColumnDataSource({"re": [], "im": []}, name="sg-eigenvalues-source")

        p = figure(title="phase portrait (click to add a start)", x_range=(-LIM, LIM),
                   y_range=(-LIM, LIM), width=500, height=480, x_axis_label="theta",
                   y_axis_label="psi", tools="pan,wheel_zoom,reset", css_classes=["sg-phase"])
        p.segment("x0", "y0", "x1", "y1", source=self.field, color="#999")
        p.scatter("x1", "y1", source=self.field, size=2, color="#999")
        p.multi_line("xs", "ys", source=self.ode, color="#1f77b4", line_width=2,
                     legend_label="ODE")
        p.multi_line("xs", "ys", source=self.scheme, color="#d62728", line_width=1.5,
                     legend_label="scheme")
        p.multi_line("xs", "ys", source=self.average, color="#d62728", line_width=1.5,
                     line_dash="dashed", legend_label="average (ema)")
        p.scatter("x", "y", source=self.starts, size=8, color="black")
        p.legend.location = "top_left"
        self.phase = p

        d = figure(title="distance to the equilibrium", y_axis_type="log", width=500,
                   height=300, x_axis_label="step", y_axis_label="|x_k - x*|",
                   tools="pan,wheel_zoom,reset", css_classes=["sg-distance"])
        d.multi_line("xs", "ys", source=self.dist_ode, color="#1f77b4", legend_label="ODE")
        d.multi_line("xs", "ys", source=self.dist_scheme, color="#d62728",
                     legend_label="scheme")
        d.multi_line("xs", "ys", source=self.dist_average, color="#d62728",
                     line_dash="dashed", legend_label="average (ema)")
        self.distance = d
        self._average_items = [p.legend.items[-1], d.legend.items[-1]]
        for item in self._average_items:
            item.visible = False

        e = figure(title="eigenvalues", width=360, height=360, match_aspect=True,
                   tools="pan,wheel_zoom,reset", css_classes=["sg-eigenvalues"])
        t = np.linspace(0, 2 * np.pi, 200)
        self._circle = e.line(np.cos(t), np.sin(t), color="#555")
        self._axis = e.line([0, 0], [-2, 2], color="#555")
        e.scatter("re", "im", source=self.eig_src, size=10, color="#d62728")
        self.eigenvalues = e

    def show_eigenvalues(self, re: list[float], im: list[float], scheme: str) -> None:
        """The eigenvalues of v'(0, 0) with the imaginary axis (continuous time), or of the
        update operator F'(0, 0) with the unit circle."""
        self.eig_src.data = {"re": re, "im": im}
        continuous = scheme == "continuous"
        self._circle.visible, self._axis.visible = not continuous, continuous
        self.eigenvalues.title.text = ("eigenvalues of v'(0, 0), imaginary axis" if continuous
                                       else "eigenvalues of F'(0, 0), unit circle")

    def draw(self, m, scheme: str, h: float, steps: int, options: dict,
             starts: list[tuple[float, float]]) -> str:
        """Draw the field and the trajectories from ``starts``: the ODE with time step ``h``,
        and (a discrete scheme) ``simulate`` with ``options``; return the status line.

        Raises the package's InputError for options the simulator refuses.
        """
        g = np.linspace(-LIM * 0.95, LIM * 0.95, GRID)
        th, ps = np.meshgrid(g, g)
        with np.errstate(all="ignore"):
            u, v = (np.asarray(c, dtype=float) for c in m.field(th.ravel(), ps.ravel()))
            n = np.hypot(u, v)
            s = np.where(n > 0, 0.8 * (g[1] - g[0]) / np.where(n > 0, n, 1), 0)
        x0, y0 = th.ravel(), ps.ravel()
        self.field.data = {"x0": x0, "y0": y0, "x1": x0 + s * u, "y1": y0 + s * v}
        self.starts.data = {"x": [p[0] for p in starts], "y": [p[1] for p in starts]}
        k = np.arange(steps + 1)
        ode = ([], [], [], [])
        for th0, ps0 in starts:
            o = integrate(m, t_span=(0.0, steps * h), theta0=th0, psi0=ps0, t_eval=k * h)
            x, y = _finite_prefix(np.asarray(o.theta, float), np.asarray(o.psi, float))
            for store, value in zip(ode, (x, y, k[:len(x)], _distance(x, y))):
                store.append(value)
        run, avg = ([], [], [], []), ([], [], [], [])
        if scheme != "continuous" and starts:
            r = simulate(m, scheme=scheme, steps=steps,
                         theta0=np.array([p[0] for p in starts]),
                         psi0=np.array([p[1] for p in starts]), record_every=1, **options)
            for i in range(len(starts)):
                x, y = _finite_prefix(np.asarray(r.history_theta[i], float),
                                      np.asarray(r.history_psi[i], float))
                for store, value in zip(run, (x, y, np.arange(len(x)), _distance(x, y))):
                    store.append(value)
                if r.history_theta_ema is not None:
                    x, y = _finite_prefix(np.asarray(r.history_theta_ema[i], float),
                                          np.asarray(r.history_psi_ema[i], float))
                    for store, value in zip(avg, (x, y, np.arange(len(x)), _distance(x, y))):
                        store.append(value)
        self.ode.data = {"xs": ode[0], "ys": ode[1]}
        self.dist_ode.data = {"xs": ode[2], "ys": ode[3]}
        self.scheme.data = {"xs": run[0], "ys": run[1]}
        self.dist_scheme.data = {"xs": run[2], "ys": run[3]}
        self.average.data = {"xs": avg[0], "ys": avg[1]}
        self.dist_average.data = {"xs": avg[2], "ys": avg[3]}
        for item in self._average_items:
            item.visible = bool(avg[0])
        return f"trajectories: {len(starts)} (ODE {len(ode[0])}, scheme {len(run[0])})"
