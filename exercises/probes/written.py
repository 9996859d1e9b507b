"""What the server wrote where people read it: its log records, their extra fields included, and its output."""


def written_out(caplog, capsys) -> str:
    """Every log record's message and fields (a JSON or Sentry handler writes them all), then stdout and stderr."""
    printed = capsys.readouterr()
    return "\n".join([*(f"{record.getMessage()} {vars(record)!r}" for record in caplog.records), *printed])
