"""What the server wrote where people read it: its log records, their extra fields included, and its output."""


def written_out(caplog, capsys) -> str:
    """Every log record's message and fields (a JSON or Sentry handler writes them all), then stdout and stderr."""
    printed = capsys.readouterr()
    return "\n".join([*(f"{record.getMessage()} {vars(record)!r}" for record in caplog.records), *printed])


def shown_part(written: str, secret: str, run: int = 16) -> str:
    """The first `run` characters in a row of `secret` that `written` holds, or "" if none does.

    A line cut short shows a secret's start, a "debug" line its first characters: a part is as
    good as the whole to whoever reads it. A secret shorter than `run` counts whole.
    """
    run = min(run, len(secret))
    return next((secret[i : i + run] for i in range(len(secret) - run + 1) if secret[i : i + run] in written), "")
