"""Lesson 14's capacity model (model.py), run as `python -m bench.capacity`."""
