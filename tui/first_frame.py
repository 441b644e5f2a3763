"""What the reader need not do before its first frame."""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.message import Message
from textual.screen import Screen

M = TypeVar("M", bound=type[Message])


class StyledOnMount:
    """Screen mixin: the first `ScreenResume` does not restyle every node again.

    Textual styles each widget as it mounts, then restyles the whole screen when it first resumes.
    Nothing restyles in between without its own update (a class, focus or theme change restyles
    the nodes it touches), so that second pass repeats the first: for the reader's main screen about
    a fifth of the work before the first frame (the viewer's 29 component classes are styled twice).
    Later resumes (a mode switch) restyle as usual. A plain class, not a Screen: Textual finds
    handlers on every class of the MRO, and creating a Screen subclass costs a fifth of a millisecond.
    """

    _resumed_once = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Called before Screen's own handler (earlier in the MRO); that one does the rest.
        if not self._resumed_once:
            self._resumed_once = True
            event.refresh_styles = False  # every node was styled as it mounted


def start_frame_clock(screen: Screen) -> None:
    """Start `screen`'s refresh timer as it mounts, so its first refresh is not held back a frame.

    A screen refreshes on Textual's 60 Hz update timer, which starts paused and counts its first
    period from its first resume: the first idle moment after the screen's first layout. So the
    refresh that completes the first screen (the sizes the first layout settled, a notice) always
    waited a whole 1/60 s with nothing to do, after every pane was drawn.
    Started at mount, that period runs while the screen composes and lays out, and the first
    refresh follows the first layout at once. Later refreshes keep the timer's pace, 1/60 s apart.
    (`_update_timer` is Textual's own, private; tests/test_first_frame.py checks it still works.)
    """
    screen._update_timer.resume()


def message(cls: M) -> M:
    """`@dataclass` for a Textual message with a few fields, without `dataclasses`' code generation.

    What `@dataclass` gives a message — `__init__(fields in order, by position or name, defaults
    from the class)`, `__repr__` and `__eq__` by field, unhashable — but built from closures:
    `dataclasses` compiles three functions per class (0.6 ms each, eight messages imported before
    the first frame), this takes a few microseconds.
    """
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}

    def __init__(self, *args, **kwargs) -> None:
        if len(args) > len(names):
            raise TypeError(f"{cls.__qualname__}() takes {len(names)} arguments, {len(args)} given")
        values = dict(zip(names, args))
        for name, value in kwargs.items():
            if name not in names or name in values:
                raise TypeError(f"{cls.__qualname__}() got an unexpected or repeated argument {name!r}")
            values[name] = value
        for name in names:
            if name in values:
                setattr(self, name, values[name])
            elif name in defaults:
                setattr(self, name, defaults[name])
            else:
                raise TypeError(f"{cls.__qualname__}() missing argument {name!r}")
        self.__post_init__()  # Message's own initialisation, as `@dataclass` calls it

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{cls.__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in names)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = __init__
    cls.__repr__ = __repr__
    cls.__eq__ = __eq__
    cls.__hash__ = None  # as `@dataclass(eq=True)` leaves it
    cls.__match_args__ = names
    return cls
