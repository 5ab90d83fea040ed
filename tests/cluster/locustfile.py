"""Mixed traffic for the cluster test (run_cluster.py starts locust with this file, headless).

Weights, as issue 13 asks: 80 % anonymous document pages and lists, 10 % search, 5 % sign-in and
read (a buyer reads the paid part of a document bought before the run), 5 % wallet purchases
(the site's own form: GET /buy/?document=N, then POST /buy/ with method=wallet).

Runs in its own venv (.venv-locust: gevent never enters the app's).  Every failed request is
also written, with its time and nginx's X-Request-ID, to FANWEN_CLUSTER_EVENTS (JSON lines), so
that run_cluster.py can tie each failure to the host that was killed."""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from typing import Any

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

SEED = json.loads(open(os.environ["FANWEN_CLUSTER_SEED"], encoding="utf-8").read())
EVENTS_PATH = os.environ["FANWEN_CLUSTER_EVENTS"]
CA = os.environ["FANWEN_CLUSTER_CA"]  # the test's self-signed certificate: TLS is verified against it
QUERIES = ["工作", "总结", "报告", "方案", "计划", "学习", "管理", "发展", "建设", "安全", "培训", "制度"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CARRIERS = re.compile("[\u200b-\u200d\u2060\ufeff]")  # the paid text's light fingerprint (access/fingerprints.py)
FORM_KEY = re.compile(r'name="form_key" value="([0-9a-f]+)"')
_lock = threading.Lock()
_next_buyer = {"i": 0}


@events.request.add_listener
def record_failure(request_type: str, name: str, response: Any = None, exception: Any = None, **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    if exception is None and status < 400:
        return
    headers = getattr(response, "headers", None) or {}
    row = {
        "time": time.time(), "method": request_type, "name": name, "status": status,
        "request_id": headers.get("X-Request-ID", ""), "error": str(exception or "")[:300],
    }
    with _lock, open(EVENTS_PATH, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


class Reader(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.verify = CA
        with _lock:
            self.account = SEED["buyers"][_next_buyer["i"] % len(SEED["buyers"])]
            _next_buyer["i"] += 1
        self.owned = {self.account["owned"]}
        self.buyer: HttpSession | None = None

    def _session(self) -> HttpSession:
        session = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        session.verify = CA
        return session

    def _sign_in(self, session: HttpSession) -> bool:
        page = session.get("/accounts/login/", name="/accounts/login/ [GET]")
        match = TOKEN.search(page.text or "")
        if not match:
            return False
        with session.post(
            "/accounts/login/", name="/accounts/login/ [POST]", catch_response=True,
            data={"username": self.account["username"], "password": SEED["password"],
                  "csrfmiddlewaretoken": match.group(1), "next": "/me/"},
            headers={"Referer": f"{self.host}/accounts/login/"},
        ) as response:
            if response.status_code >= 400:
                return False  # recorded as a failure by locust (a 502 if its host was just killed)
            if "/accounts/login/" in response.url:
                response.failure("sign-in refused")
                return False
        return True

    # --- 80 %: anonymous pages and lists
    @task(55)
    def document_page(self) -> None:
        self.client.get(f"/d/{random.choice(SEED['documents'])}/", name="/d/[id]/")

    @task(12)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(13)
    def category_list(self) -> None:
        slug = random.choice(SEED["categories"])
        self.client.get(f"/c/{slug}/?page={random.randint(1, 3)}", name="/c/[slug]/")

    # --- 10 %: search
    @task(10)
    def search(self) -> None:
        self.client.get("/search/", params={"q": random.choice(QUERIES)}, name="/search/")

    # --- 5 %: sign in, read the paid part of a bought document
    @task(5)
    def sign_in_and_read(self) -> None:
        session = self._session()
        if not self._sign_in(session):
            return
        with session.get(f"/d/{self.account['owned']}/", name="/d/[id]/ (buyer)", catch_response=True) as page:
            if page.status_code == 200 and self.account["paid_fragment"] not in CARRIERS.sub("", page.text):
                page.failure("the buyer does not see the paid part")

    # --- 5 %: buy a document not yet owned, with the wallet, through the site's form
    @task(5)
    def wallet_purchase(self) -> None:
        if self.buyer is None:
            self.buyer = self._session()
            if not self._sign_in(self.buyer):
                self.buyer = None
                return
        choices = [d for d in SEED["documents"] if d not in self.owned]
        document = random.choice(choices)
        page = self.buyer.get(f"/buy/?document={document}", name="/buy/ [GET]")
        token, key = TOKEN.search(page.text or ""), FORM_KEY.search(page.text or "")
        if page.status_code != 200 or not token or not key or "/buy/" not in page.url:
            return  # already owned (redirected to the document), or a failure locust recorded
        with self.buyer.post(
            "/buy/", name="/buy/ [POST wallet]", catch_response=True,
            data={"document": document, "form_key": key.group(1), "method": "wallet",
                  "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": f"{self.host}/buy/?document={document}"},
        ) as response:
            if response.status_code == 200:
                if f"/d/{document}/" not in response.url:
                    response.failure(f"purchase did not land on the document: {response.url}")
                else:
                    self.owned.add(document)
