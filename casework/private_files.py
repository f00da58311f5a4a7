"""Files the command line writes holding personal data (exports) or the database (backups):
created readable and writable by their owner only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

PRIVATE = 0o600
PRIVATE_FOLDER = 0o700


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """Open `path` for writing (created or truncated) with mode 0600; an existing file's wider
    permissions are narrowed too."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def make_private_folder(path: Path) -> None:
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_FOLDER)
