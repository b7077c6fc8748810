"""`make bench`: load-tests Bunko under gunicorn against a generated database (see run.py)."""
