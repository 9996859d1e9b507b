"""The course's own tests: its pages, the inspector, the catalogue and layout, the docs, the kit; a lesson's tests are tests/test_NN_*.py."""
