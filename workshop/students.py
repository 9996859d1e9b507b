"""The student's subcommands of `python manage.py workshop` (lesson 17): join, leave, help, share.

Each takes the command's stdout and stderr and returns the exit status: 0 when
it did what it says, 1 with one line `workshop: <why>` on stderr when it did not.
The network and the saved connection are workshop/client.py's.
"""

from workshop import client
from workshop.frames import EXERCISE

NOT_JOINED = "workshop: not in a workshop: `python manage.py workshop join <url> <code> --name <name>` first\n"


def join(url: str, code: str, name: str, stdout, stderr) -> int:
    """Ask the room at `url` to admit `name` with the join code; save the connection only if it did."""
    try:
        connection = client.admit(url, code, name)
    except client.Unreached as why:
        stderr.write(f"workshop: {why}\n")
        return 1
    client.save(connection)
    stdout.write(f"joined the workshop at {connection['url']} as {connection['name']}\n")
    return 0


def leave(stdout, stderr) -> int:
    """End the token in the room (workshop/leave.py), then forget the connection: nothing is reported any more."""
    connection = client.load()
    if connection is None:
        client.forget()
        stdout.write("not in a workshop: nothing to leave\n")
        return 0
    why = client.depart(connection)
    client.forget()  # whatever the room said: this checkout reports nothing more
    stdout.write(f"left the workshop at {connection['url']}\n")
    if why is not None:
        stderr.write(f"workshop: the room did not hear you leave ({why}); your token ends when the workshop closes\n")
    return 0


def help(down: bool, stdout, stderr) -> int:  # the subcommand's name; shadows the builtin in this module only
    """Raise the hand (the instructor's page shows it), or lower it with --down."""
    if client.load() is None:
        stderr.write(NOT_JOINED)
        return 1
    why = client.deliver([{"help": not down}], client.JOIN_TIMEOUT)
    if why is not None:
        stderr.write(f"workshop: your hand did not reach the instructor ({why})\n")
        return 1
    stdout.write("your hand is down\n" if down else "your hand is up: the instructor sees it\n")
    return 0


def share(exercise_id: str, stdout, stderr) -> int:
    """Send the file the student edits for exercise NN.K to the instructor: the only way code leaves a laptop."""
    # The checks' own way to the student's file (exercises/targets.py): not the kit's registry,
    # so a share never loads the course's exercise machinery to read one file.
    from exercises.targets import folder, student_file

    if client.load() is None:
        stderr.write(NOT_JOINED)
        return 1
    try:
        if not EXERCISE.fullmatch(exercise_id):
            raise LookupError(exercise_id)  # not an id like 04.1: never a pattern for the folder's glob
        path, home = student_file(exercise_id), folder(exercise_id)
    except LookupError:
        stderr.write(f"workshop: no exercise {exercise_id!r}: `python manage.py exercise` lists them (ids like 04.1)\n")
        return 1
    shown = f"exercises/{home.name}/{path.name}"  # as the student types it, wherever EXERCISES_STARTERS puts it
    try:
        code = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        stderr.write(f"workshop: cannot read {shown} ({error})\n")
        return 1
    if len(code.encode()) > client.SHARE_LIMIT:
        stderr.write(f"workshop: {shown} is over {client.SHARE_LIMIT // 1024} KiB: too big to share\n")
        return 1
    frame = {"share": {"exercise": exercise_id, "path": shown, "code": code}}
    why = client.deliver([frame], client.JOIN_TIMEOUT)
    if why is not None:
        stderr.write(f"workshop: {shown} did not reach the instructor ({why})\n")
        return 1
    stdout.write(f"shared {shown} with the instructor (exercise {exercise_id})\n")
    return 0
