"""The one exception type for user mistakes: the CLI prints its message on one line, exit 2."""


class UserError(Exception):
    """A mistake the user can fix (config value, template file, input folder)."""

    exit_code = 2


class ItemError(Exception):
    """One input item cannot be used; it is skipped and counted (fatal with strict=true)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self):  # survives pickling between worker processes
        return (ItemError, (self.reason, self.detail))


class ExternalError(Exception):
    """Something outside the user's command failed (network, permission, a remote store): one line, exit 1."""

    exit_code = 1
