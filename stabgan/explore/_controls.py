"""The explorer's numeric controls: a slider to drag and a text box for exact values.

The views follow a slider when it is RELEASED (Bokeh's ``value_throttled``), never on every
tick of a drag; the released value is written into the text box as a short decimal, and the
text box is what the page reads (``"0.3"`` is exactly 3/10, as on the command line). A value
typed in the box moves the slider (widening its range if needed). An empty box means "not
given" where the option has a default of its scheme. The one-line message of a bad value
shows in the error line below the control.
"""
from __future__ import annotations

import html
import math
from collections.abc import Callable
from fractions import Fraction

from bokeh.layouts import column
from bokeh.models import Div, Select, Slider, TextInput

from .._options import OPTIONS, SCHEME_OPTIONS, SchemeOption, SIMULATE_SCHEMES, Parameter

ERROR_STYLE = {"color": "#b00"}
#: Width of a control (text box, slider, error line) in the controls column.
WIDTH = 330
#: The scheme options the page offers as controls (the step sizes are made apart).
STEP_NAMES = ("h", "h_g", "h_d")


def decimal_text(value: float, step: float) -> str:
    """``value`` as the short decimal a slider of this ``step`` means (0.30000000000000004
    with step 0.01 is ``"0.3"``)."""
    digits = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _nice_step(span: float) -> float:
    """A power of ten that cuts ``span`` into 100 to 1000 slider positions."""
    return 10.0 ** math.floor(math.log10(span / 100))


class NumberControl:
    """A text box for the exact value, a slider to drag, and the line for its error.

    Parameters
    ----------
    name : str
        The parameter or option name; CSS classes ``sg-param-NAME`` (or ``css``),
        ``sg-slider-NAME`` and ``sg-error-NAME`` let tests find the parts.
    title : str
        The text box's title.
    start, end, step : float
        The slider's range and step (``step`` None: no slider, the box only).
    text : str
        The initial text ("" for "not given").
    default : float or None
        The value while the box is empty (None: the scheme decides, e.g. an extrapolation
        step that is the step size; then the slider stands at its start).
    on_change : callable
        Called with no argument after the value changed (typed, or the slider released).
    css : str, optional
        The text box's CSS class (default ``sg-param-NAME``).
    accepts : callable, optional
        Whether a typed number is in the allowed range: only such a number moves the slider
        (and widens its range); a bad one only shows its message.
    """

    def __init__(self, name: str, title: str, start: float, end: float, step: float | None,
                 text: str, default: float | None, on_change: Callable[[], None],
                 css: str | None = None,
                 accepts: Callable[[float], bool] = lambda value: True) -> None:
        self.name, self.default, self._on_change = name, default, on_change
        self._accepts = accepts
        self.box = TextInput(title=title, value=text, width=WIDTH,
                             css_classes=[css or f"sg-param-{name}"],
                             placeholder="default" if text == "" else "")
        self.error = Div(text="", width=WIDTH, css_classes=[f"sg-error-{name}"],
                         styles=ERROR_STYLE)
        parts = [self.box]
        self.slider = None
        if step is not None:
            self.slider = Slider(start=start, end=end, step=step,
                                 value=start if default is None else default,
                                 show_value=False, title=None, width=WIDTH,
                                 css_classes=[f"sg-slider-{name}"], name=f"sg-slider-{name}")
            self._sync_slider(text)
            self.slider.on_change("value_throttled", self._released)
            parts.append(self.slider)
        self.box.on_change("value", self._typed)
        self.layout = column(*parts, self.error)

    @property
    def text(self) -> str:
        """The value as typed (stripped); "" when not given."""
        return self.box.value.strip()

    @property
    def number(self) -> float | None:
        """The value as a float (the default while the box is empty); None if it is no
        number (or the box is empty and the scheme decides)."""
        if not self.text:
            return self.default
        try:
            value = float(self.text)
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    @property
    def span(self) -> tuple[float, float] | None:
        """The slider's range (a stability map's axis runs over it); None without a slider."""
        return None if self.slider is None else (self.slider.start, self.slider.end)

    def set_error(self, message: str) -> None:
        """Show ``message`` (one line) below the control."""
        self.error.text = html.escape(message)

    def _released(self, attr, old, new) -> None:
        self.box.value = decimal_text(new, self.slider.step)  # -> _typed, once

    def _typed(self, attr, old, new) -> None:
        self._sync_slider(new.strip())
        self._on_change()

    def _sync_slider(self, text: str) -> None:
        if self.slider is None:
            return
        value = (self.slider.start if self.default is None else self.default) if not text \
            else self.number
        if value is None or not self._accepts(value):
            return
        s = self.slider
        if value < s.start:  # a typed value outside the range widens it
            s.start = value
        if value > s.end:
            s.end = value
        s.value = value


def parameter_control(p: Parameter, text: str, on_change: Callable[[], None]) -> NumberControl:
    """The control of a method parameter: the slider spans its range where that is finite,
    else four times its default (at least 2) from the finite end or around the default."""
    d = float(p.default)
    span = max(2.0, 4 * abs(d))
    lo = None if p.low is None else float(p.low)
    hi = None if p.high is None else float(p.high)
    start = lo if lo is not None else (hi - 2 * span if hi is not None else d - span)
    end = hi if hi is not None else max(start + span, d + span / 2)
    step = _nice_step(end - start)
    if lo is not None and not p.low_closed:
        start += step
    if hi is not None and not p.high_closed:
        end -= step
    return NumberControl(p.name, f"{p.name} ({p.meaning})", start, end, step, text, d,
                         on_change, accepts=lambda value: p.contains(Fraction(value)))


#: Slider ranges of the scheme options (step sizes, and options whose range is unbounded).
_STEP_RANGE = (0.01, 2.0, 0.01)
_COUNT_END = {"n_g": 10, "n_d": 10, "lookahead_steps": 20, "lazy_every": 10}


def _title(o: SchemeOption) -> str:
    """A short title: the name, the range and what an empty box means."""
    def show(value) -> str:
        return str(value) if o.kind == "count" else f"{float(value):g}"

    if o.kind == "step":
        empty = "the step size"
    elif o.default is None:
        empty = "none"
    else:
        empty = "default " + show(o.default) + "".join(
            f" ({', '.join(s for s in o.schemes if s not in dict(o.defaults))}), "
            f"{show(v)} ({s})" for s, v in o.defaults)
    return f"{o.name}, in {o.interval} (empty: {empty})"


def option_control(o: SchemeOption, text: str, on_change: Callable[[], None]) -> NumberControl:
    """The control of a numeric scheme option, from its row of the option table."""
    default = o.default_for("simgd")
    css = f"sg-input-{o.name}"

    def accepts(value: float) -> bool:
        return o.contains(Fraction(value))

    if o.kind == "step":
        start, end, step = _STEP_RANGE
        title = {"h": "h", "h_g": "h_g (the generator's step size)",
                 "h_d": "h_d (the discriminator's step size)"}.get(o.name, _title(o))
        return NumberControl(o.name, title, start, end, step, text,
                             float(text) if text else None, on_change, css=css, accepts=accepts)
    if o.kind == "count":
        return NumberControl(o.name, _title(o), 1, _COUNT_END[o.name], 1, text,
                             float(default), on_change, css=css, accepts=accepts)
    if o.high is None:  # eps: a tiny number, typed
        return NumberControl(o.name, _title(o), 0, 1, None, text, float(default), on_change,
                             css=css)
    step = 0.001 if o.name in ("beta1", "beta2") else 0.01
    start = float(o.low) + (step if o.low_open else 0)
    end = float(o.high) - (step if o.high_open else 0)
    value = float(default) if default is not None else None
    return NumberControl(o.name, _title(o), start, end, step, text, value, on_change, css=css,
                         accepts=accepts)


class SchemeControls:
    """The scheme, its step sizes (one ``h``, or ``h_g`` and ``h_d``) and the options it
    takes (from the option table); only the chosen scheme's options show.

    ``h`` always shows: it is also the time step of the ODE drawn beside the scheme.
    """

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.scheme = Select(title="scheme", value="simgd",
                             options=["continuous", *SIMULATE_SCHEMES], width=WIDTH,
                             css_classes=["sg-scheme"])
        self.steps_mode = Select(title="step sizes", value="one (h)",
                                 options=["one (h)", "two (h_g, h_d)"], width=WIDTH,
                                 css_classes=["sg-step-mode"])
        self.numbers: dict[str, NumberControl] = {}
        self.choices: dict[str, Select] = {}
        for o in SCHEME_OPTIONS:
            if o.kind == "choice":
                self.choices[o.name] = Select(title=o.name, value=o.default,
                                              options=list(o.choices), width=WIDTH,
                                              css_classes=[f"sg-input-{o.name}"])
            else:
                text = "0.1" if o.name in STEP_NAMES else ""
                self.numbers[o.name] = option_control(o, text, on_change)
        self.errors = {n: c.error for n, c in self.numbers.items()}
        self.choice_errors = {n: Div(text="", width=WIDTH, css_classes=[f"sg-error-{n}"],
                                     styles=ERROR_STYLE) for n in self.choices}
        for w in (self.scheme, self.steps_mode, *self.choices.values()):
            w.on_change("value", lambda attr, old, new: (self.show(), on_change()))
        order = [o.name for o in SCHEME_OPTIONS]
        parts = [self.scheme, self.steps_mode]
        for name in order:
            if name in self.numbers:
                parts.append(self.numbers[name].layout)
            else:
                parts += [self.choices[name], self.choice_errors[name]]
        self.layout = column(*parts)
        self.show()

    @property
    def two_steps(self) -> bool:
        """Whether the scheme has two step sizes (h_g, h_d) instead of one (h)."""
        return self.steps_mode.value.startswith("two")

    def takes(self, name: str) -> bool:
        """Whether the chosen scheme (with its step-size mode and lookahead base) takes the
        option ``name`` (``h`` only as a step size of the scheme)."""
        scheme = self.scheme.value
        if scheme == "continuous":
            return False
        if name == "h":
            return not self.two_steps
        if name in ("h_g", "h_d"):
            return self.two_steps
        if scheme not in OPTIONS[name].schemes:
            return False
        if scheme == "lookahead" and name in ("n_g", "n_d", "order"):
            return self.choices["base"].value == "altgd"
        return True

    def show(self) -> None:
        """Show the controls of the options the chosen scheme takes, hide the others."""
        for name, c in self.numbers.items():
            c.layout.visible = name == "h" or self.takes(name)
        for name, c in self.choices.items():
            self.choices[name].visible = self.choice_errors[name].visible = self.takes(name)
        self.steps_mode.visible = self.scheme.value != "continuous"
        h = self.numbers["h"].box
        h.title = ("h (step size of the scheme and time step of the ODE)" if self.takes("h")
                   else "h (time step of the ODE drawn beside the scheme)")

    def given(self) -> dict[str, str]:
        """The options given for the chosen scheme, as text: the step sizes always, another
        option when its box is not empty (a choice when it is not the default)."""
        out: dict[str, str] = {}
        for name, c in self.numbers.items():
            if self.takes(name) and (name in STEP_NAMES or c.text):
                out[name] = c.text
        for name, c in self.choices.items():
            if self.takes(name) and c.value != OPTIONS[name].default:
                out[name] = c.value
        return out

    def set_error(self, name: str, message: str) -> bool:
        """Show ``message`` next to the control of option ``name``; False if there is none."""
        if name in self.numbers:
            self.numbers[name].set_error(message)
            return True
        if name in self.choice_errors:
            self.choice_errors[name].text = html.escape(message)
            return True
        return False

    def clear_errors(self) -> None:
        """Empty every error line of the scheme's controls."""
        for c in self.numbers.values():
            c.error.text = ""
        for d in self.choice_errors.values():
            d.text = ""
