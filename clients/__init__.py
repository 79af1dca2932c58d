"""Clients that ship with the harness: subjects of it, not parts of it (see README.md).

Each file is also a script (``python /abs/path/clients/<file>.py``); scripts put the
checkout root on ``sys.path`` so that ``clients.*`` imports work from any directory.
"""
