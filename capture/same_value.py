"""Values a golden and a new capture hold that are the same value told differently: a publish time
shown coarser (seconds dropped) that equals the golden's at that precision, and share buttons whose
classes carry a build hash now. The repair (:mod:`capture.repair.read`) and the check's classification
(:mod:`capture.compare`) count them alike, so a repaired page does not keep failing its check."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_DIGITS = re.compile(r"9+")


def same_classes(golden: Any, new: Any) -> bool:
    """Share buttons read by their class (``share_weixin``) that carry a build hash now
    (``share_weixin-a1b2c3``): the same buttons, in the same order."""
    if not isinstance(golden, list) or not isinstance(new, list) or len(golden) != len(new):
        return False
    return all(isinstance(g, str) and isinstance(n, str) and (n == g or n.startswith(g) and not n[len(g)].isalnum())
               for g, n in zip(golden, new, strict=True))


def same_at_precision(golden: Any, new: Any, precision: str) -> bool:
    """Whether ``new`` (read at ``precision``: "second", "minute", "day") is the golden's publish time at
    that precision: ``2024-05-24T09:16:00+08:00`` read from "2024年05月24日 09:16" is the golden's
    ``2024-05-24T09:16:04+08:00``."""
    if not isinstance(golden, str) or not isinstance(new, str) or golden == new:
        return golden == new
    if precision == "minute":
        return len(golden) >= 19 and new[:16] == golden[:16] and new[16:19] == ":00" and new[19:] == golden[19:]
    if precision == "day":
        return new == golden[:10]
    return False


def shape_precision(shape: str) -> str:
    """How precisely a time's shape (the skeleton's format line, digits as 9: ``9999-99-99 99:99``,
    ``9999年99月99日 99时99分99秒``) shows it: "second", "minute", "day" or "" (no time)."""
    return {3: "day", 5: "minute", 6: "second"}.get(len(_DIGITS.findall(shape)), "")


def shown_precision(skeleton_lines: Iterable[str]) -> str:
    """The precision of the publish time as the extraction reads it, from a skeleton's format lines
    (``format html@data-publishtime: 9999-99-99 99:99``, in the order of the ``published`` selectors):
    the first that shows a clock time, else a date alone ("day"); "" when no line shows a time."""
    day = ""
    for line in skeleton_lines:
        if not line.startswith("format "):
            continue
        prec = shape_precision(line.rpartition(": ")[2])
        if prec in ("minute", "second"):
            return prec
        day = day or prec
    return day


def in_order(parts: list[str], text: str) -> bool:
    """Whether every one of ``parts`` occurs in ``text``, each after the one before it."""
    at = 0
    for p in parts:
        at = text.find(p, at)
        if at < 0:
            return False
        at += len(p)
    return True
