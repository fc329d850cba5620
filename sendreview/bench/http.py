"""A minimal browser for the benchmarks: its own cookie jar (production cookies are `Secure` and
`__Host-` prefixed, and the bench server speaks plain HTTP behind a pretend TLS proxy, so standard
jars would not send them back), sign-in through the real forms with a TOTP code."""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from http.cookies import SimpleCookie

from sendreview.bench import HOST

TIMEOUT = 30.0


class Browser:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{HOST}:{port}"

    def headers(self, extra=None) -> dict:
        headers = {"X-Forwarded-Proto": "https", "Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = self.headers(headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers.setdefault("Origin", self.origin)
            headers.setdefault("Referer", self.origin + path)
        conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - started
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, data.decode("utf-8", "replace"), elapsed

    @property
    def csrf(self) -> str:
        return next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), "")

    def _form_token(self, html: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return found.group(1) if found else self.csrf

    def sign_in(self, email: str, password: str, totp_secret: str) -> None:
        import pyotp

        status, _, html, _ = self.request("GET", "/accounts/login/")
        if status != 200:
            raise RuntimeError(f"login page: HTTP {status}")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self._form_token(html), "login": email, "password": password}
        )
        status, headers, html, _ = self.request("POST", "/accounts/login/", body)
        if status != 302 or "2fa/authenticate" not in (headers.get("Location") or ""):
            raise RuntimeError(f"login: HTTP {status} to {headers.get('Location')}\n{html[:300]}")
        status, _, html, _ = self.request("GET", "/accounts/2fa/authenticate/")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self._form_token(html), "code": pyotp.TOTP(totp_secret).now()}
        )
        status, headers, html, _ = self.request("POST", "/accounts/2fa/authenticate/", body)
        if status != 302 or "/accounts/" in (headers.get("Location") or ""):
            raise RuntimeError(f"second factor: HTTP {status} to {headers.get('Location')}")
