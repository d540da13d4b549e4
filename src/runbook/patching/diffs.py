"""Reading a unified diff (plain, ``git diff`` or ``git format-patch`` mail): which paths it
touches and the commit message it carries.

Parsed here rather than trusted to ``git apply`` alone, so that a path outside the repository or
a malformed header is refused before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runbook.running import gitutil


class DiffError(ValueError):
    """The text is not a unified diff we can read safely."""


@dataclass(frozen=True)
class FileChange:
    old: str | None
    """Path before the change; None when the diff creates the file."""
    new: str | None
    """Path after the change; None when the diff deletes the file."""


@dataclass(frozen=True)
class Diff:
    changes: tuple[FileChange, ...]
    message: str | None
    """The commit message the diff carries (mail Subject, ``git show`` text or a free-text
    preamble), if any."""

    @property
    def paths(self) -> list[str]:
        """Every path the diff reads or writes, each once, sorted."""
        found = {p for c in self.changes for p in (c.old, c.new) if p is not None}
        return sorted(found)


_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(text: str) -> str:
    """Undo git's C-style quoting of a path (``"a/caf\\303\\251.py"``)."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out += char.encode("utf-8", "surrogateescape")
            i += 1
        elif body[i + 1 : i + 2] in _ESCAPES:
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        elif re.fullmatch(r"[0-7]{3}", body[i + 1 : i + 4]):
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            raise DiffError(f"not a unified diff: bad escape in quoted path {text}")
    return gitutil.decode(bytes(out))


def _header_path(raw: str) -> str | None:
    """The path of a ``---``/``+++`` line, with git's default one leading component stripped."""
    raw = raw.rstrip("\r")
    if not raw.startswith('"'):
        raw = raw.split("\t", 1)[0]  # GNU diff appends a tab and a timestamp
    path = _unquote(raw)
    if path == "/dev/null":
        return None
    if path.startswith("/"):  # git would strip it to a relative path: not what was meant
        raise DiffError(f"the diff touches a path outside the repository: {path!r} is absolute")
    return path.split("/", 1)[1] if "/" in path else path


def _git_header_paths(rest: str) -> tuple[str, str]:
    """``a/X b/Y`` of a ``diff --git`` line (only used when nothing else names the file)."""
    if rest.startswith('"'):
        match = re.fullmatch(r'("(?:[^"\\]|\\.)*") (.+)', rest)
        if not match:
            raise DiffError(f"not a unified diff: cannot read 'diff --git {rest}'")
        old, new = _unquote(match.group(1)), _unquote(match.group(2))
    else:
        half = (len(rest) - 1) // 2
        if rest[half : half + 1] == " " and rest[:half][2:] == rest[half + 1 :][2:]:
            old, new = rest[:half], rest[half + 1 :]
        else:
            old, _, new = rest.partition(" b/")
            new = "b/" + new
    return old.split("/", 1)[-1], new.split("/", 1)[-1]


def _skip_hunk(lines: list[str], i: int) -> int:
    """Index after the hunk whose ``@@`` line is ``lines[i]``; a short hunk is an error."""
    match = _HUNK.match(lines[i])
    if not match:
        raise DiffError(f"not a unified diff: bad hunk header on line {i + 1}")
    old = int(match.group(1) or 1)
    new = int(match.group(2) or 1)
    i += 1
    while old > 0 or new > 0:
        if i >= len(lines):
            raise DiffError("not a unified diff: the last hunk is cut short")
        line = lines[i].rstrip("\r")
        tag = line[:1]
        if tag in {" ", ""}:
            old, new = old - 1, new - 1
        elif tag == "-":
            old -= 1
        elif tag == "+":
            new -= 1
        elif tag != "\\":
            raise DiffError(f"not a unified diff: line {i + 1} does not belong to its hunk")
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        i += 1  # "\ No newline at end of file" after the last line
    return i


def _message(preamble: list[str]) -> str | None:
    """A commit message from the text before the first file header."""
    lines = [line.rstrip("\r") for line in preamble]
    head = lines[: lines.index("")] if "" in lines else lines
    subject = [i for i, line in enumerate(head) if line.lower().startswith("subject:")]
    if subject:  # git format-patch / mail
        i = subject[0]
        text = lines[i].split(":", 1)[1]
        while i + 1 < len(head) and head[i + 1][:1] in {" ", "\t"}:
            i += 1
            text += " " + head[i].strip()
        title = re.sub(r"^\s*(\[[^\]]*\]\s*)+", "", text).strip()
        body = lines[len(head) + 1 :]
        body = body[: body.index("---")] if "---" in body else body
        text = "\n".join(body).strip()
        return f"{title}\n\n{text}" if text else title or None
    if lines and re.match(r"commit [0-9a-f]{7,}", lines[0]):  # git show / git log -p
        body = lines[len(head) + 1 :]
        return "\n".join(line.removeprefix("    ") for line in body).strip() or None
    text = "\n".join(line for line in lines if line != "---").strip()
    return text or None


def parse(text: str) -> Diff:
    """The files a unified diff touches, read the way ``git apply`` reads them (-p1)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line does not start another
    changes: list[FileChange] = []
    preamble: list[str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            preamble = lines[:i] if preamble is None else preamble
            i = _git_section(lines, i, changes)
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            preamble = lines[:i] if preamble is None else preamble
            old, new = _header_path(line[4:]), _header_path(lines[i + 1][4:])
            if not (i + 2 < len(lines) and lines[i + 2].startswith("@@")):
                raise DiffError(f"not a unified diff: no hunk after the header on line {i + 1}")
            changes.append(FileChange(old, new))
            i += 2
            while i < len(lines) and lines[i].startswith("@@"):
                i = _skip_hunk(lines, i)
        else:
            i += 1
    if not changes:
        raise DiffError("not a unified diff: no '--- a/…' / '+++ b/…' file headers found")
    return Diff(tuple(changes), _message(preamble or []))


def _git_section(lines: list[str], i: int, changes: list[FileChange]) -> int:
    """Read one ``diff --git`` section starting at ``lines[i]``; return the index after it."""
    old, new = _git_header_paths(lines[i][len("diff --git ") :].rstrip("\r"))
    created = deleted = False
    i += 1
    while i < len(lines) and not lines[i].startswith(("diff --git ", "--- ", "@@")):
        line = lines[i].rstrip("\r")
        for prefix in ("rename from ", "copy from "):
            if line.startswith(prefix):
                old = _unquote(line[len(prefix) :])
        for prefix in ("rename to ", "copy to "):
            if line.startswith(prefix):
                new = _unquote(line[len(prefix) :])
        created = created or line.startswith("new file mode ")
        deleted = deleted or line.startswith("deleted file mode ")
        i += 1
        if line == "GIT binary patch":
            while i < len(lines) and not lines[i].startswith("diff --git "):
                i += 1
    if i < len(lines) and lines[i].startswith("--- "):
        if not lines[i + 1 : i + 2] or not lines[i + 1].startswith("+++ "):
            raise DiffError(f"not a unified diff: '---' without '+++' on line {i + 1}")
        old, new = _header_path(lines[i][4:]), _header_path(lines[i + 1][4:])
        i += 2
    else:
        old = None if created else old
        new = None if deleted else new
    while i < len(lines) and lines[i].startswith("@@"):
        i = _skip_hunk(lines, i)
    changes.append(FileChange(old, new))
    return i
