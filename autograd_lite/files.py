"""Reading and writing files whole: a reader (or a crash) never sees half of a write, and a
path that cannot be read or written gives an error naming the function the user called."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from pathlib import Path

# A temporary file of a write killed before its rename stays beside the target. The next
# successful write of the same target removes such leftovers, but only those left unmodified
# this long (seconds): a younger one may belong to a write of the same file running right now
# in another process (ours writes its data in one call and then renames, well within this).
STALE_AFTER = 60.0


def write_atomically(
    path: str | os.PathLike, data: bytes, caller: str = "write_atomically"
) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    An interrupted write leaves the previous file as it was. Missing folders are created.
    After the rename, temporary files that killed writes of the same `path` left behind
    (named `.{name}.` and 8 random characters, as `tempfile.mkstemp` makes them, and not
    modified for `STALE_AFTER` seconds) are removed. Errors name `caller`, the function the
    user called, and `path`: a folder given as the path, a file in the way of a folder to make,
    a folder without write permission.
    """
    path = Path(check_path(path, caller))
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, f"{caller}: {str(path)!r} is a folder; give a file name inside it"
        )
    _make_folder(path, caller)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise _explained(error, "write", path, caller) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; give the usual mode
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):  # a cleaner took it as stale
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _explained(error, "write", path, caller) from None
        raise
    _remove_leftovers(path)
    return path


def read_whole(path: str | os.PathLike, caller: str = "read_whole") -> bytes:
    """The bytes of the file at `path`; a missing file, a folder, or a file without read
    permission is an OSError naming `caller` and `path`."""
    path = Path(check_path(path, caller))
    try:
        return path.read_bytes()
    except FileNotFoundError:
        missing = "" if path.parent.is_dir() else f" (nor the folder {str(path.parent)!r})"
        raise FileNotFoundError(errno.ENOENT, f"{caller}: no file {str(path)!r}{missing}") from None
    except IsADirectoryError:
        raise IsADirectoryError(
            errno.EISDIR, f"{caller}: {str(path)!r} is a folder, not a file"
        ) from None
    except OSError as error:
        raise _explained(error, "read", path, caller) from None


def check_path(path: object, caller: str) -> str:
    """`path` as a str, or a TypeError naming `caller` (an int would be taken as a file
    descriptor by `open`, bytes would not join the str paths around it)."""
    try:
        text = os.fspath(path)  # type: ignore[arg-type]
    except TypeError:
        text = None
    if not isinstance(text, str):
        raise TypeError(
            f"{caller}: path must be a str or os.PathLike, got {type(path).__name__} {path!r}"
        )
    return text


def _make_folder(path: Path, caller: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        files = (p for p in reversed(path.parents) if p.exists() and not p.is_dir())
        in_the_way = next(files, path.parent)
        raise NotADirectoryError(
            errno.ENOTDIR,
            f"{caller}: cannot make the folder {str(path.parent)!r} for {str(path)!r}: "
            f"{str(in_the_way)!r} is a file",
        ) from None
    except OSError as error:
        raise _explained(error, "write", path, caller) from None


def _explained(error: OSError, action: str, path: Path, caller: str) -> OSError:
    """The same kind of OSError (PermissionError, ...), naming `caller` and `path` (for a
    write, the target rather than the temporary file)."""
    message = f"{caller}: cannot {action} {str(path)!r}: {error.strerror or error}"
    return type(error)(error.errno, message) if error.errno else type(error)(message)


def _remove_leftovers(path: Path) -> None:
    """Remove stale temporary files of killed writes of `path` (best effort: the write itself
    has succeeded, so a leftover that cannot be removed simply stays)."""
    leftover = re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}")
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if not leftover.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):  # removed meanwhile, or not ours to remove
                stat = entry.stat(follow_symlinks=False)
                if entry.is_file(follow_symlinks=False) and now - stat.st_mtime > STALE_AFTER:
                    os.unlink(entry.path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
