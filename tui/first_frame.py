"""What a screen need not do before its first frame."""

from __future__ import annotations

from textual import events


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
