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

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Other sites learn nothing (a /check?q= address holds what the person checked), but our
        # own form posts carry a Referer: over HTTPS, Flask-WTF refuses a form without one.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
