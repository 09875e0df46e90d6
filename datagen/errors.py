"""The exceptions the CLI turns into one line: user mistakes (exit 2) and faults of the machine (exit 3)."""


class UserError(Exception):
    """A mistake the user can fix (config value, template file, input folder, output folder in use)."""

    exit_code = 2


class MachineError(Exception):
    """The machine or a remote failed the command (disk full, a file system that refuses a write, the network,
    a remote store's permission): one line, exit 3."""

    exit_code = 3


class ItemError(Exception):
    """One input item cannot be used; it is skipped and counted (fatal with strict=true)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self):  # survives pickling between worker processes
        return (ItemError, (self.reason, self.detail))

