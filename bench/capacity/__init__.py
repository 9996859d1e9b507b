"""Lesson 14's capacity model, in three parts: the arithmetic (model.py), the costs it reads
from a scale run (fit.py), and the command line (cli.py, run as `python -m bench.capacity`)."""
