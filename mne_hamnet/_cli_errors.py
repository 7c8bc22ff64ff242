"""What the command line's subcommands share to report a bad value in one line."""


class UsageError(Exception):
    """A bad command-line value; reported in one line with exit status 2."""


def _cli_message(err):
    """The error's message on one line."""
    return " ".join(str(err).split())
