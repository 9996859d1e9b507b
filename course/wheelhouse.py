"""`make wheelhouse`: every wheel a workshop's laptops need, downloaded once, for a room without Wi-Fi.

    python -m course.wheelhouse wheelhouse          every supported Python on every platform
    python -m course.wheelhouse wheelhouse --here   only this machine's Python and platform

`make install` then finds wheelhouse/ beside the Makefile and installs from
it with the index switched off (pip --no-index --find-links wheelhouse): hand
the folder round on a USB stick and every laptop installs in seconds, offline.
Django 5.2 LTS (requirements.txt) for Python 3.11-3.14, and the Django 6 set
(requirements-django6.txt) for 3.12-3.14.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13", "3.14")
# pip matches a wheel's platform tag exactly: name the tags the pinned packages publish.
PLATFORMS = {
    "Linux x86_64": [f"manylinux_2_{n}_x86_64" for n in (17, 28, 34)] + ["manylinux2014_x86_64"],
    "Linux arm64": [f"manylinux_2_{n}_aarch64" for n in (17, 28, 34)] + ["manylinux2014_aarch64"],
    "macOS Intel": [f"macosx_{v}_x86_64" for v in ("10_9", "10_12", "10_13", "10_15", "11_0", "13_0", "14_0")]
    + ["macosx_10_9_universal2", "macosx_10_13_universal2"],
    "macOS Apple silicon": [f"macosx_{v}_arm64" for v in ("11_0", "12_0", "13_0", "14_0", "15_0")]
    + ["macosx_10_9_universal2", "macosx_10_13_universal2"],
    "Windows": ["win_amd64"],
}


def download(folder: Path, requirements: str, python: str | None, platform: list[str] | None) -> list[str]:
    """pip download the pinned set's wheels for one Python and platform (this machine's when None).

    A pin with no wheel for that platform (autobahn publishes none for Intel Macs) comes as its
    source archive instead, which pip builds on the laptop from the wheelhouse's setuptools; the
    names of those pins are returned.
    """
    argv = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--dest", str(folder)]
    if python is not None:
        argv += ["--python-version", python, "--implementation", "cp"]
        argv += [flag for tag in platform for flag in ("--platform", tag)]
    path = REPO_DIR / requirements
    if subprocess.run([*argv, "-r", str(path)], capture_output=True).returncode == 0:
        return []
    built = []  # one pin at a time (the set is pinned whole, so --no-deps misses nothing)
    for pin in re.findall(r"^[A-Za-z0-9_.\-]+==\S+$", path.read_text(encoding="utf-8"), re.M):
        if subprocess.run([*argv, "--no-deps", pin], capture_output=True).returncode != 0:
            source = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary=:all:"]
            done = subprocess.run([*source, "--dest", str(folder), pin], capture_output=True)
            # No wheel and no source pip can prepare here (cryptography's needs Rust): that laptop needs one.
            built.append(pin if done.returncode == 0 else f"{pin} (none: that laptop builds it with its own toolchain)")
    return built


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--here", action="store_true", help="only this machine's Python and platform")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.here:
        download(args.folder, "requirements.txt", None, None)
        return
    # What builds a source archive on a laptop with no network: setuptools and wheel, as wheels.
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(args.folder), "setuptools", "wheel"]
    )
    for name, tags in PLATFORMS.items():
        for python in PYTHONS:
            built = download(args.folder, "requirements.txt", python, tags)
            if python != "3.11":
                built += download(args.folder, "requirements-django6.txt", python, tags)
            print(
                f"wheelhouse: {name}, Python {python}"
                + (f" (built there from source: {sorted(set(built))})" if built else "")
            )
    wheels = list(args.folder.glob("*.whl"))
    size = sum(wheel.stat().st_size for wheel in wheels) / 2**20
    print(f"wheelhouse: {len(wheels)} wheels, {size:.0f} MiB in {args.folder}/; `make install` uses them offline")


if __name__ == "__main__":
    main()
