"""The floor for bench/bench_throughput.py: a bare Flask app answering ``GET /hello``.

It is served by gunicorn with the settings ``verifier serve`` uses, so that the difference
between the two is the application's own work: routing, hooks, the check, JSON.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    """The smallest answer Flask can give."""
    return "hello"
