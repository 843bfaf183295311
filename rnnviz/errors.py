"""The errors every layer raises. The bottom of the house: imports nothing of ours.

Each message is one readable line: the CLI prints it after ``rnnviz: error:`` and the pages show it
in a box, so it must make sense to a student without a traceback.
"""


class ConfigError(ValueError):
    """A setting, size or option that is unknown or out of bounds."""


class TaskError(ConfigError):
    """A task name, task option or sequence length the task registry cannot accept."""


class CheckpointError(ConfigError):
    """A file that is not an rnnviz checkpoint, or one whose contents do not fit together."""
