"""The errors every layer raises. The bottom of the house: imports nothing of ours.

Each message is one readable line: the CLI prints it after ``rnnviz: error:`` and the pages show it
in a box, so it must make sense to a student without a traceback. (NotReady and Stale, at the end,
are never shown: they tell a worker thread what became of a turn handed to a trainer process.)
"""


class ConfigError(ValueError):
    """A setting, size or option that is unknown or out of bounds."""


class TaskError(ConfigError):
    """A task name, task option or sequence length the task registry cannot accept."""


class CheckpointError(ConfigError):
    """A file that is not an rnnviz checkpoint, or one whose contents do not fit together."""


# ----- training in a trainer process (rnnviz.trainproc raises them; the session and the Compare lab's
# race catch them, and the race may not import trainproc, its sibling layer) -----
class NotReady(Exception):
    """The trainer process is still starting (importing torch takes seconds): train this turn elsewhere."""


class Stale(Exception):
    """The run changed while its turn was being prepared: nothing was trained (the next turn sends it)."""
