"""The explorer's screen (Textual, the ``[explore]`` extra): the picture of f with the path
up to the current iterate, the step table beside it (below it on a narrow terminal), a
status line and the keys. Everything shown comes from :class:`~.state.ExploreState`; a
change of setting runs the engine on a worker thread, so a slow function never freezes
the screen, and the newest request wins."""

from __future__ import annotations

import os
import re
import time
from typing import Any

from rich.style import Style
from rich.text import Span, Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from ..errors import InputError
from .state import TABLE_ROWS, ExploreState

#: At least this many columns put the table beside the picture, else below it.
WIDE = 120

HELP = """\
Learning rate   +  double      -  halve      *  ×1.1      /  ÷1.1
Method          m  the next one: gd, momentum, nesterov, adagrad, rmsprop, adam, newton
                   (the lr goes with it once chosen; else each method's default)
Steps           n or →  one forward      p or ←  one back
                PgDn / PgUp  ten      Home  the start      g or End  the end of the run
Start           s  type a new start (as --x0 takes it: 3, or x=-1,y=2)
Reset           r  the command line's method, lr and start, at step 0
View            v  fit the axes to the current run (they are kept while lr or the
                   method change, so that paths compare)
Theory          t  the analytic stationary points (one-variable polynomials) and the
                   second-order test at the current iterate
Explain         e  the current step written out, as minimize --explain writes it
Command         c  the same run as gdcli minimize / gdcli plot and as a config file
Quit            q  (exit 0)

The run is the engine's own: it ends where gdcli minimize would (converged, diverged,
or --max-iter); the status line says how, with the lr against the stability limit.
"""


def plot_text(fig: Any, columns: int, rows: int, colour: bool) -> str:
    """The picture as text for a pane of ``columns`` × ``rows`` (without its title line,
    which is the app's): terminal_plot sizes the canvas by the width (a third of it high,
    at least 10 rows), so a short pane gets a narrower picture that fits its height."""
    from ..render.terminal_plot import MIN_HEIGHT, canvas_size, to_text

    columns = max(30, columns)
    # the canvas (plotille draws height + 1 rows), the y label above it and the x axis with
    # its ticks fit; the legend and the notes under them may need the pane's scroll bar
    if rows > 0 and canvas_size(fig, columns)[1] + 1 + 3 > rows:
        axis = 13 + 5 + len(fig.xlabel)  # what to_text adds to the canvas width
        target = max(MIN_HEIGHT, rows - 4)
        columns = min(columns, 3 * target + 2 + axis)
    return to_text(fig, columns, colour).split("\n", 1)[-1].rstrip("\n")


_SGR = re.compile("\x1b\\[([0-9;]*)m")
_BLANK = " \u2800"  # a space, an empty braille cell: no colour shows on them
_STYLES: dict[str, Style | None] = {}


def picture_text(body: str) -> Text:
    """The picture's text with plotille's colour codes as styles, as Text.from_ansi reads
    them, but a run of one colour is one span, across the blank cells within it: plotille
    colours each cell on its own, and every span costs Textual a segment to render."""
    pieces = _SGR.split(body)  # text, code, text, code, …
    plain: list[str] = []
    spans: list[Span] = []
    pos = 0
    style: Style | None = None
    run: Style | None = None
    start = end = 0
    for i, piece in enumerate(pieces):
        if i % 2:
            style = _STYLES.get(piece)
            if style is None and piece not in _STYLES:
                decoded = Text.from_ansi(f"\x1b[{piece}mx").spans
                style = _STYLES[piece] = decoded[0].style if decoded else None  # type: ignore[assignment]
            continue
        if not piece:
            continue
        plain.append(piece)
        if style is not None:
            if style != run:
                if run is not None:
                    spans.append(Span(start, end, run))
                run, start = style, pos
            end = pos + len(piece)
        elif run is not None and piece.strip(_BLANK):  # a run ends at what would show
            spans.append(Span(start, end, run))
            run = None
        pos += len(piece)
    if run is not None:
        spans.append(Span(start, end, run))
    return Text("".join(plain), spans=spans, no_wrap=True, overflow="crop")


class StepTable(Static):
    """The step table as one Text: a bold header, the rows that fit (numbers right-aligned,
    zebra stripes), the current step highlighted; laid out as a DataTable lays it out (a
    column as wide as its widest cell, one space either side), at a fraction of a
    DataTable's cost per redraw (each cell of which is a renderable of its own)."""

    COMPONENT_CLASSES = {"steptable--header", "steptable--even-row", "steptable--cursor"}
    DEFAULT_CSS = """
    StepTable { background: $surface; color: $foreground; }
    StepTable > .steptable--header { text-style: bold; background: $panel; color: $foreground; }
    StepTable:ansi > .steptable--header { background: ansi_bright_blue; color: ansi_default; }
    StepTable > .steptable--even-row { background: $surface-lighten-1 50%; }
    StepTable:dark > .steptable--even-row { background: $surface-darken-1 40%; }
    StepTable > .steptable--cursor { background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground; text-style: $block-cursor-blurred-text-style; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.header: list[str] = []
        self.cells: list[list[str]] = []  # the rows shown, as shown

    def show(self, header: list[str], cells: list[list[str]]) -> None:
        """The header and rows (the last one the current step)."""
        widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
        lines = ["".join(f" {h:<{w}} " for h, w in zip(header, widths, strict=True))]
        lines += ["".join(f" {c:>{w}} " for c, w in zip(row, widths, strict=True))
                  for row in cells]
        lines = [line.ljust(self.content_size.width) for line in lines]  # stripes across
        text = Text("\n".join(lines), no_wrap=True, overflow="crop")
        style = self.get_component_styles
        text.stylize(style("steptable--header").rich_style, 0, len(lines[0]))
        even = style("steptable--even-row").rich_style
        start = len(lines[0]) + 1
        for i, line in enumerate(lines[1:]):
            if i == len(lines) - 2:
                text.stylize(style("steptable--cursor").rich_style, start, start + len(line))
            elif i % 2 == 0:
                text.stylize(even, start, start + len(line))
            start += len(line) + 1
        self.header, self.cells = header, cells
        self.width_needed = sum(widths) + 2 * len(widths)
        self.update(text, layout=False)  # its size is the layout's, never its content's

    width_needed = 0


class PlotPane(VerticalScroll):
    """The picture's pane: the picture is drawn for its size, so again when that changes
    (the terminal, or the side panel beside it)."""

    def on_resize(self, event: Any) -> None:
        app = self.app
        if isinstance(app, ExploreApp) and app.state.rows:
            app.call_after_refresh(app.draw_plot)


class TextScreen(ModalScreen[None]):
    """A page of text over the explorer; any of Esc, q, Enter or its own key closes it."""

    DEFAULT_CSS = """
    TextScreen { align: center middle; }
    TextScreen > Vertical { width: auto; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface; }
    TextScreen VerticalScroll { width: auto; height: auto; max-height: 100%; }
    TextScreen Static { width: auto; }
    """

    def __init__(self, title: str, text: str, closers: str = "") -> None:
        super().__init__()
        self.title_text, self.body = title, text
        self.closers = {"escape", "q", "enter", *closers.split(",")} - {""}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            with VerticalScroll():
                yield Static(Text(self.body))
            yield Static(Text("Esc: close", style="dim"))

    def on_key(self, event: Any) -> None:
        if event.key in self.closers:
            event.stop()
            self.dismiss(None)


class StartScreen(ModalScreen[None]):
    """A prompt for the start, checked as --x0 is; an error keeps it open."""

    DEFAULT_CSS = """
    StartScreen { align: center bottom; }
    StartScreen > Container { width: 100%; height: auto; border: round $accent;
        background: $surface; }
    #start-error { color: $error; height: auto; }
    """

    def __init__(self, state: ExploreState, done: Any) -> None:
        super().__init__()
        self.state, self.done = state, done

    def compose(self) -> ComposeResult:
        v = self.state.problem.variables
        now = ",".join(f"{x:.10g}" for x in self.state.start)
        with Container():
            yield Static(f"New start ({', '.join(v)}), as --x0 takes it; Enter to run, Esc "
                         "to cancel")
            yield Input(value=now, id="start-input")
            yield Static("", id="start-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.state.set_start(event.value)
        except InputError as e:
            self.query_one("#start-error", Static).update(Text(e.message))
            return
        self.dismiss(None)
        self.done()

    def on_key(self, event: Any) -> None:
        if event.key == "escape":
            event.stop()
            self.dismiss(None)


class ExploreApp(App[int]):
    """gdcli explore: see module docstring."""

    TITLE = "gdcli explore"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #title { height: 1; text-style: bold; }
    #main { height: 1fr; layout: vertical; }
    #main.wide { layout: horizontal; }
    #plot-pane { height: 1fr; }
    #side { height: 30%; min-height: 4; }
    #table { width: 100%; height: 1fr; }
    #explain { display: none; height: auto; padding: 1 0 0 1; }
    #main.wide #plot-pane { width: 1fr; height: 1fr; }
    #main.wide #side { width: auto; max-width: 60%; height: 1fr; }
    #main.wide #table { height: 1fr; max-height: 18; }
    #main.wide #explain { display: block; }
    #status { height: 3; background: $boost; }
    """
    BINDINGS = [
        Binding("plus,equals_sign", "lr_times(2)", "lr×2"),
        Binding("minus,underscore", "lr_over(2)", "lr÷2"),
        Binding("asterisk", "lr_times(1.1)", "lr×1.1", show=False),
        Binding("slash", "lr_over(1.1)", "lr÷1.1", show=False),
        Binding("m", "method", "method"),
        Binding("n,right", "step(1)", "step"),
        Binding("p,left", "step(-1)", "back"),
        Binding("pagedown", "step(10)", "10 steps", show=False),
        Binding("pageup", "step(-10)", "10 back", show=False),
        Binding("home", "home", "start", show=False),
        Binding("g,end", "end", "end"),
        Binding("r", "reset", "reset"),
        Binding("s", "start", "start", show=False),
        Binding("t", "theory", "theory", show=False),
        Binding("v", "refit", "fit view", show=False),
        Binding("e", "explain", "explain", show=False),
        Binding("c", "commands", "command", show=False),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit_app", "quit"),
    ]

    def __init__(self, state: ExploreState) -> None:
        super().__init__()
        self.state = state
        self.colour = not os.environ.get("NO_COLOR")
        self.first_frame: float | None = None  # perf_counter when the first run was drawn
        self.redraws = 0
        self._plot_lines = -1
        # wide: the side panel's width, which only grows while the table's columns stay (a
        # panel that followed each number's width would move the picture at every key)
        self._side_width = 0
        self._side_header: list[str] = []

    # --- layout ---
    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Container(id="main"):
            with PlotPane(id="plot-pane"):
                yield Static(id="plot")
            with Vertical(id="side"):
                yield StepTable(id="table")
                yield Static(id="explain")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        for sel in ("#table", "#plot-pane", "#side"):
            self.query_one(sel).can_focus = False
        self._layout(self.size.width)
        self.recompute()

    def on_resize(self, event: Any) -> None:
        self._layout(event.size.width)
        self._side_width = 0
        self.call_after_refresh(self._resized)

    def _resized(self) -> None:
        if self.state.rows:
            self.draw_table()
            self.draw_plot()

    def _layout(self, width: int) -> None:
        wide = width >= WIDE
        self.query_one("#main").set_class(wide, "wide")
        if not wide:
            self.query_one("#side").styles.width = None

    # --- computing ---
    def recompute(self) -> None:
        """Run the current settings on a worker; the status says so until it is drawn."""
        req = self.state.request()
        self.draw_status()
        self.run_worker(lambda: self._work(req), thread=True, group="run",
                        exit_on_error=False)

    def _work(self, req: Any) -> None:
        res = self.state.compute(req, self.state.stale(req))
        try:
            self.call_from_thread(self._apply, res)
        except RuntimeError:  # the app closed meanwhile
            pass

    def _apply(self, res: Any) -> None:
        if self.state.apply(res):
            self.draw()
            if self.first_frame is None:
                self.call_after_refresh(self._first)

    def _first(self) -> None:
        self.first_frame = time.perf_counter()

    # --- drawing ---
    def draw(self) -> None:
        self.redraws += 1
        self.query_one("#title", Static).update(
            Text(self.state.title(), no_wrap=True, overflow="ellipsis"), layout=False)
        self.draw_status()
        self.draw_table()
        if self.query_one("#main").has_class("wide"):  # room for the step written out
            self.draw_explain()
        self.draw_plot()

    def draw_explain(self) -> None:
        """The current step written out under the table (wrapped to its width), and the
        side panel as wide as the table needs (never narrower while its columns stay)."""
        body = "The current step:\n" + self.state.explain_text()
        table = self.query_one("#table", StepTable)
        if table.header != self._side_header:
            self._side_width, self._side_header = 0, table.header
        need = table.width_needed
        side = self.query_one("#side")
        if need > self._side_width:
            self._side_width = need
            side.styles.width = need
        explain = self.query_one("#explain", Static)
        explain.update(Text(body), layout=False)
        # a new height (more lines, or lines wrapped differently) needs a layout
        width = explain.content_size.width
        if not width or explain.get_content_height(side.size, self.size, width) != (
                explain.content_size.height):
            explain.refresh(layout=True)

    def draw_status(self) -> None:
        lines = self.state.status_lines()
        self.query_one("#status", Static).update(
            Text("\n".join(lines), no_wrap=True, overflow="ellipsis"), layout=False)

    def draw_table(self) -> None:
        table = self.query_one("#table", StepTable)
        # as many steps as the table shows: nothing to scroll, nothing rendered unseen
        fits = table.size.height - 1 if table.size.height > 1 else TABLE_ROWS
        header, cells, caption = self.state.table(fits)
        if caption:
            header, cells, caption = self.state.table(fits - 1)
        if caption:
            cells = [["⋮"] * len(header), *cells]
        table.show(header, cells)

    def draw_plot(self) -> None:
        plot = self.query_one("#plot", Static)
        fig = self.state.figure()
        if fig is None:
            plot.update(Text("computing…" if self.state.error is None else self.state.error))
            return
        size = self.query_one("#plot-pane").content_size
        body = plot_text(fig, size.width - 1, size.height, self.colour)
        text = picture_text(body) if self.colour else Text(body, no_wrap=True,
                                                             overflow="crop")
        lines = body.count("\n")
        plot.update(text, layout=lines != self._plot_lines)  # a new height needs a layout
        self._plot_lines = lines

    # --- keys ---
    def _changed(self, changed: bool) -> None:
        if changed:
            self.recompute()

    def action_lr_times(self, factor: float) -> None:
        self._changed(self.state.scale_lr(factor))

    def action_lr_over(self, factor: float) -> None:
        self._changed(self.state.scale_lr(1 / factor))

    def action_method(self) -> None:
        self._changed(self.state.next_method())

    def action_step(self, n: int) -> None:
        self.state.step(n)
        self.draw()

    def action_home(self) -> None:
        self.state.to_start()
        self.draw()

    def action_end(self) -> None:
        self.state.to_end()
        self.draw()

    def action_reset(self) -> None:
        self._changed(self.state.reset())

    def action_refit(self) -> None:
        self._changed(self.state.refit())

    def action_theory(self) -> None:
        self.state.toggle_theory()
        self.draw_plot()

    def action_start(self) -> None:
        self.push_screen(StartScreen(self.state, self.recompute))

    def action_explain(self) -> None:
        self.push_screen(TextScreen("The current step, written out", self.state.explain_text(),
                                    "e"))

    def action_commands(self) -> None:
        lines = self.state.command_lines()
        text = ("The table of this run:\n  " + lines[0] + "\n\nIts picture:\n  " + lines[1]
                + "\n\nAs a config for gdcli run FILE.toml:\n\n" + self.state.config_toml())
        self.push_screen(TextScreen("The same run from the command line", text, "c"))

    def action_help(self) -> None:
        self.push_screen(TextScreen("gdcli explore: keys", HELP, "question_mark"))

    def action_quit_app(self) -> None:
        self.exit(0)
