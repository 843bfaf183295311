"""One way to time things, used by every figure, table and button in the app that shows a time.

The rule (each piece is there because its absence once made two numbers on the app disagree):

- **warm-up**: each function runs once untimed first (the first call pays for memory allocation,
  lazy imports and, for the GRU, compiling its kernel);
- **interleaved repeats**: round r times every function once before round r+1 starts, so a burst of
  other work on the machine lands on all of them alike instead of on whichever was timed then (the
  order rotates each round);
- **median and spread**: the median of the repeats is the number shown; the fastest and slowest
  repeat are its spread;
- **the same process**: the functions are timed here, one after another, never in processes that
  run at the same time as each other.

:func:`server_load` says whether the machine was busy while timing (load average above its cores,
or other training jobs running in this server), so a page can say so instead of showing a number
that contradicts the shipped one without a word.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..errors import ConfigError

METHOD = "after one untimed warm-up call each, {repeats} interleaved repeats, the median (spread: fastest to slowest)"
METHOD_SHORT = "after a warm-up, the median of {repeats} repeats taken in turns"


@dataclass(frozen=True)
class Timing:
    """Milliseconds of one call: the median of ``n`` repeats, and the fastest and slowest repeat."""

    median_ms: float
    low_ms: float
    high_ms: float
    n: int

    def spread(self) -> str:
        return f"{self.low_ms:.3g}-{self.high_ms:.3g} ms"


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def time_calls(fns: dict[str, Callable[[], object]], repeats: int = 5, device: str = "cpu") -> dict[str, Timing]:
    """Time every function of ``fns`` the one way (see the module): warm-up, ``repeats`` interleaved
    rounds, median and spread. Returns {name: Timing} in the order of ``fns``."""
    if not fns:
        raise ConfigError("nothing to time")
    if not (isinstance(repeats, int) and 1 <= repeats <= 1000):
        raise ConfigError(f"repeats must be an integer from 1 to 1000, got {repeats!r}")
    names = list(fns)
    for name in names:
        fns[name]()
        _sync(device)
    seen: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            fns[name]()
            _sync(device)
            seen[name].append((time.perf_counter() - t0) * 1e3)
    return {n: Timing(statistics.median(v), min(v), max(v), len(v)) for n, v in seen.items()}


def time_call(fn: Callable[[], object], repeats: int = 5, device: str = "cpu") -> Timing:
    """One function timed the one way."""
    return time_calls({"f": fn}, repeats, device)["f"]


class threads:
    """``with threads(n):`` run torch operations on n threads, then go back to what it was."""

    def __init__(self, n: int):
        self.n, self.was = n, torch.get_num_threads()

    def __enter__(self):
        torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        torch.set_num_threads(self.was)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Load:
    """How busy the machine was: its load average over the last minute, its cores, and the training
    jobs this server was running for other pages and students."""

    load: float
    cores: int
    training: int

    @property
    def busy(self) -> bool:
        return self.load > self.cores or self.training > 0

    def note(self) -> str | None:
        """One sentence for the page when the machine is busy, else None."""
        if not self.busy:
            return None
        why = []
        if self.load > self.cores:
            why.append(f"its load average is {self.load:.1f} on {self.cores} core{'s' if self.cores > 1 else ''}")
        if self.training:
            why.append(f"it is training {self.training} model{'s' if self.training > 1 else ''} for other pages")
        return (
            "This server was busy while measuring (" + " and ".join(why) + "): these times include waiting for a "
            "core, so they are longer than on a quiet machine, and not by the same amount for every model."
        )


def server_load(training: int = 0) -> Load:
    """The machine's load now (``training``: the jobs the caller knows are training in this server)."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    return Load(round(load, 2), cores(), int(training))
