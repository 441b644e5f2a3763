"""Exit codes: the one definition the CLI, sync and docs/cli.md agree on (scripts rely on them)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NO_MATCH = 1  # nothing matched, or a sync in which some posts failed (listed)
    USAGE = 2  # unknown option or district, malformed date, bad config
    UNREACHABLE = 3  # the source could not be reached at all, or it blocked automated access
    STORE = 4  # the store could not be opened or written
    WRITE_FAILED = 5  # an output file the user named (export, feed) could not be written
    INTERRUPTED = 130  # Ctrl-C


# One short phrase per code, for `--help` (docs/cli.md says the same at length; a test checks both agree).
MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.NO_MATCH: "nothing matched or some posts failed",
    ExitCode.USAGE: "usage error",
    ExitCode.UNREACHABLE: "source unreachable",
    ExitCode.STORE: "store not writable",
    ExitCode.WRITE_FAILED: "output file not writable",
    ExitCode.INTERRUPTED: "interrupted",
}
