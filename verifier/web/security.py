"""Security headers on every response.

The pages use no script and no third-party resource, so the policy can be strict: nothing but
this site's own stylesheet loads, and no other site may frame the pages (clickjacking a "this is
official" verdict would be a gift to scammers).
"""

from __future__ import annotations

from flask import Flask, Response

__all__ = ["init_app"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    production = app.config["VERIFIER_ENV"] == "production"

    # Other sites learn nothing (a /check?q= address holds what the person checked), but our own
    # form posts carry a Referer: over HTTPS, Flask-WTF refuses a form without one.
    wanted = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if production:
        wanted.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        # Each header unless a view set its own: one pass over the few headers there are, not
        # a lookup per header, which raises and catches a KeyError for every absent one.
        present = {name.lower() for name, _ in headers.items()}
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response
