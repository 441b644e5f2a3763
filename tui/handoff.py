"""Handing things to the desktop: a graphical browser for `o`, the clipboard for `y`/`Y`.

A console browser (www-browser, w3m, lynx, links, elinks) started from inside the reader would
share its terminal, and keys would go to both: so it is used only when `$BROWSER` names it. Without
a graphical browser the reader shows the URL and copies it instead.

Copying goes through the terminal (Textual's `copy_to_clipboard`, OSC 52: works over ssh when the
terminal allows it, silently ignored when it does not) and, when there is one, a native tool too
(wl-copy, xclip, xsel, pbcopy), so the reader can say which one it used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import webbrowser

CONSOLE_BROWSERS = frozenset({"www-browser", "w3m", "lynx", "links", "links2", "elinks", "browsh"})


def graphical_browser() -> webbrowser.BaseBrowser | None:
    """The browser `o` may start: `$BROWSER` as the user named it, else the first graphical one."""
    if os.environ.get("BROWSER"):
        try:
            return webbrowser.get()  # honours $BROWSER, console browsers included: the user chose it
        except webbrowser.Error:
            return None
    if sys.platform in ("darwin", "win32"):
        try:
            return webbrowser.get()
        except webbrowser.Error:
            return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None  # no desktop: whatever webbrowser finds would run in this terminal
    try:
        webbrowser.get()  # registers the browsers it can find (console ones among them)
    except webbrowser.Error:
        return None
    for name in list(getattr(webbrowser, "_tryorder", None) or ()):
        if os.path.basename(name.split()[0]) in CONSOLE_BROWSERS:
            continue
        try:
            return webbrowser.get(name)
        except webbrowser.Error:
            continue
    return None


def open_url(url: str) -> bool:
    """Open `url` in a graphical browser; False when there is none (nothing was started)."""
    browser = graphical_browser()
    if browser is None:
        return False
    try:
        return bool(browser.open(url))
    except OSError:
        return False


def native_copier() -> tuple[str, list[str]] | None:
    """(name, command) of a clipboard tool for this desktop, if one is installed."""
    candidates: list[tuple[str, list[str]]] = []
    if sys.platform == "darwin":
        candidates.append(("pbcopy", ["pbcopy"]))
    if os.environ.get("WAYLAND_DISPLAY"):
        candidates.append(("wl-copy", ["wl-copy"]))
    if os.environ.get("DISPLAY"):
        candidates += [("xclip", ["xclip", "-selection", "clipboard"]), ("xsel", ["xsel", "--clipboard", "--input"])]
    for name, command in candidates:
        if shutil.which(command[0]):
            return name, command
    return None


def copy_native(text: str) -> str | None:
    """Copy with the native tool; its name, or None when there is none or it failed."""
    copier = native_copier()
    if copier is None:
        return None
    name, command = copier
    try:
        subprocess.run(command, input=text.encode("utf-8"), check=True, timeout=5,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return name


def markdown_citation(title: str, url: str, district: str, week: str) -> str:
    """`[title](url) — district, week`: brackets in the title escaped so the link stays one link."""
    safe = title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    target = url.replace(")", "%29").replace(" ", "%20")
    return f"[{safe}]({target}) — {district}, {week}"
