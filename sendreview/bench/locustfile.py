"""Locust editors of one review (run headless by manage.py bench_review_form; not on its own).

Each simulated editor is a signed-in SENCO (a session made by the real sign-in with MFA) who
works as people do: opens the section page, then autosaves their own statement a few times as
the page's htmx does (the evidence text that changed, the statement's lock version and the CSRF
token, with htmx's headers), each time carrying the version the previous reply sent back; then
opens the page again. Editors work on different statements, so no save conflicts. The raw
timings go to the JSON file named by BENCH_LOCUST_OUT.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time

from locust import FastHttpUser, constant, events, task

CONFIG = json.loads(open(os.environ["BENCH_LOCUST_CONFIG"]).read())  # noqa: SIM115
SAVES_PER_VISIT = int(CONFIG.get("saves_per_visit", 4))
NEXT_EDITOR = itertools.count()
SAMPLES: list[tuple[str, float, int]] = []
VERSION_RE = re.compile(r'name="(?P<name>[^"]+)-lock_version"[^>]*value="(?P<value>\d+)"')
EVIDENCE_RE = r'<textarea[^>]*name="{code}-evidence"[^>]*>(?P<text>.*?)</textarea>'


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, **kw):
    status = getattr(response, "status_code", 0) if response is not None else 0
    SAMPLES.append((name, response_time, status if exception is None else (status or -1)))


@events.quitting.add_listener
def _dump(environment, **kw):
    with open(os.environ["BENCH_LOCUST_OUT"], "w") as out:
        json.dump({"samples": SAMPLES}, out)


class Editor(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        index = next(NEXT_EDITOR)
        session = CONFIG["sessions"][index % len(CONFIG["sessions"])]
        self.cookie = session["cookie"]
        self.csrf = session["csrf"]
        self.code = session["item"]
        self.section_path = CONFIG["section_path"]
        self.autosave_path = CONFIG["autosave_path"].format(code=self.code)
        self.origin = CONFIG["origin"]
        self.version = None
        self.evidence = ""
        self.n = 0

    def _headers(self, extra=None) -> dict:
        headers = {"Cookie": self.cookie, "X-Forwarded-Proto": "https"}
        headers.update(extra or {})
        return headers

    @task
    def visit_and_edit(self):
        with self.client.get(
            self.section_path, headers=self._headers(), name="form GET", catch_response=True
        ) as reply:
            html = reply.text or ""
            found = {m["name"]: int(m["value"]) for m in VERSION_RE.finditer(html)}
            if reply.status_code != 200 or self.code not in found:
                reply.failure(f"section page: HTTP {reply.status_code}")
                time.sleep(0.5)
                return
            self.version = found[self.code]
            text = re.search(EVIDENCE_RE.format(code=re.escape(self.code)), html, re.S)
            self.evidence = (text["text"].strip() if text else "")[:3000]
        for _ in range(SAVES_PER_VISIT):
            self.n += 1
            body = {
                "csrfmiddlewaretoken": self.csrf,
                f"{self.code}-lock_version": str(self.version),
                f"{self.code}-evidence": f"{self.evidence} Edit {self.n}.",
            }
            with self.client.post(
                self.autosave_path,
                data=body,
                headers=self._headers(
                    {
                        "HX-Request": "true",
                        "HX-Current-URL": self.origin + self.section_path,
                        "HX-Target": f"status-{self.code}",
                        "HX-Trigger": f"item-{self.code}",
                        "Origin": self.origin,
                        "Referer": self.origin + self.section_path,
                    }
                ),
                name="autosave",
                catch_response=True,
            ) as reply:
                found = VERSION_RE.search(reply.text or "")
                if reply.status_code == 200 and found:
                    self.version = int(found["value"])
                else:
                    reply.failure(f"autosave: HTTP {reply.status_code}")
                    break
