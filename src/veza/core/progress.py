"""The progress bar of long-running commands: `[#####.....] 12/40 label` on one line of stderr."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["progress_bar"]


def progress_bar(stream, *, width: int = 30) -> Callable[[int, int, str], None]:
    """A `progress(done, total, label)` callback that redraws the bar on `stream` (a command's
    stderr) and ends the line when the work is done."""

    def progress(done: int, total: int, label: str = "") -> None:
        filled = width * done // max(total, 1)
        stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}", ending=""
        )
        if done == total:
            stream.write("")

    return progress
