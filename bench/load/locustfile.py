"""The daily mix of a national instance, as locust users (see bench/README.md, "Load").

Each simulated person signs in as their own account (password, then the code of their
authenticator, computed from the device secret the plan read from the database), then works as
the browser does: pages, forms with their CSRF token and version field, one request per page, with
think time between pages. API clients read with tokens. Every request is named by its type
(`case: detail`), never by its URL; any 5xx is a failure whose message starts with "HTTP 5".

    VEZA_LOAD_PLAN=plan.json locust -f bench/load/locustfile.py --host http://127.0.0.1:8000

Environment: VEZA_LOAD_PLAN (the plan file, bench/load/plan.py), VEZA_LOAD_THINK (a factor on
every think time, default 1; 0 for a capacity run), VEZA_LOAD_SMOKE=1 (one user of each persona,
every task in turn: the smoke test uses it so that every request type is exercised).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from collections import defaultdict, deque
from html.parser import HTMLParser
from pathlib import Path

import gevent
from locust import HttpUser, task

PLAN = (
    json.loads(Path(os.environ["VEZA_LOAD_PLAN"]).read_text())
    if "VEZA_LOAD_PLAN" in os.environ
    else {}
)
THINK = float(os.environ.get("VEZA_LOAD_THINK", "1"))
SMOKE = os.environ.get("VEZA_LOAD_SMOKE") == "1"
#: A redirect to the login page itself: the session was lost.
SIGNED_OUT = re.compile(r"^(https?://[^/]+)?/login/(\?|$)")


# --- Second factor -------------------------------------------------------------------------------


def totp(device: dict, counter: int) -> str:
    """RFC 6238 code at `counter` (steps since t0), as django-otp computes it."""
    key = bytes.fromhex(device["key"])
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** device['digits']:0{device['digits']}d}"


_last_step: dict[str, int] = {}


def fresh_code(account: dict) -> str:
    """A code not used yet: each code works once, so a second sign-in of the same account (more
    users than accounts) waits for the next step."""
    device = account["totp"]
    while True:
        step = int((time.time() - device["t0"]) // device["step"]) + device["drift"]
        if step > _last_step.get(account["username"], -1):
            _last_step[account["username"]] = step
            return totp(device, step)
        gevent.sleep(device["t0"] + (step - device["drift"] + 1) * device["step"] - time.time())


_pools: dict[str, deque] = {}
_reused: dict[str, itertools.cycle] = {}


def take_account(persona: str) -> dict:
    """A distinct account of the persona while there are any left; then they are shared."""
    accounts = PLAN.get("accounts", {}).get(persona) or []
    if not accounts:
        raise RuntimeError(f"The plan has no account for {persona}.")
    pool = _pools.setdefault(persona, deque(accounts))
    if pool:
        return pool.popleft()
    return next(_reused.setdefault(persona, itertools.cycle(accounts)))


_tokens = deque()


# --- Pages as the browser reads them -------------------------------------------------------------


class Forms(HTMLParser):
    """The forms of a page: action, method and fields (inputs, selects, textareas)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form = self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": a.get("method", "get")}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form["fields"].append({**a, "type": a.get("type", "text")})
        elif tag == "select" and a.get("name"):
            self._select = {"type": "select", "name": a["name"], "options": []}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"type": "textarea", "name": a["name"], "value": ""}
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def form(self, action_contains: str = "", method: str = "post") -> dict | None:
        """The first form posting to an action containing `action_contains`; without it, the
        form that posts back to the page itself (not the language switcher of every page)."""
        for form in self.forms:
            if form["method"].lower() != method:
                continue
            if action_contains in form["action"] if action_contains else not form["action"]:
                return form
        return None


class Page:
    """A page as fetched; its forms and links are parsed only when a task reads them (parsing
    every page would spend on the load generator's side the CPU the server needs)."""

    def __init__(self, text: str):
        self.text = text
        self._parsed: Forms | None = None

    def _parse(self) -> Forms:
        if self._parsed is None:
            self._parsed = Forms(self.text)
        return self._parsed

    @property
    def forms(self) -> list[dict]:
        return self._parse().forms

    @property
    def links(self) -> list[str]:
        return self._parse().links

    def form(self, action_contains: str = "", method: str = "post") -> dict | None:
        return self._parse().form(action_contains, method)


YES_NO = (["no"] * 5) + (["yes"] * 3) + ["unsure", "not_asked"]


def fill(form: dict, **given) -> list[tuple[str, str]]:
    """What a person would send: hidden fields as they are, a choice for every radio group, a few
    boxes of each group ticked, an age typed; `given` wins."""
    data: list[tuple[str, str]] = []
    radios: dict[str, list[str]] = defaultdict(list)
    boxes: dict[str, list[str]] = defaultdict(list)
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        if name in given or kind in ("submit", "button"):
            continue
        if kind == "radio":
            radios[name].append(field.get("value", ""))
        elif kind == "checkbox":
            boxes[name].append(field.get("value", "on"))
        elif kind == "select":
            chosen = [v for v, selected in field["options"] if selected] or [
                v for v, _ in field["options"] if v
            ]
            data.append((name, chosen[0] if chosen else ""))
        elif kind == "number":
            data.append((name, str(random.randint(15, 58))))
        else:
            data.append((name, field.get("value", "")))
    for name, values in radios.items():
        if name.endswith("__unknown"):
            data.append((name, ""))  # the age is typed
        elif set(values) >= {"yes", "no"}:
            data.append((name, random.choice(YES_NO)))
        else:
            data.append((name, random.choice(values)))
    for name, values in boxes.items():
        # At least one box of each group: some answers (the kind of exploitation) are needed to
        # complete a screening, and a person ticks what applies.
        ticked = [v for v in values if random.random() < 0.25] or [random.choice(values)]
        data.extend((name, v) for v in ticked)
    for name, value in given.items():
        for item in value if isinstance(value, list) else [value]:
            data.append((name, item))
    return data


def ids(links: list[str], pattern: str) -> list[int]:
    found = (re.fullmatch(pattern, link) for link in links)
    return sorted({int(m.group(1)) for m in found if m})


# --- Users ---------------------------------------------------------------------------------------


def no_answer(resp) -> str:
    """A request that got no HTTP answer (locust's status 0), named by what the client met:
    the connection refused, reset or closed by the server, or a timeout."""
    error = resp.error
    return f"no answer: {type(error).__name__}: {str(error)[:160]}"


class Person(HttpUser):
    """A signed-in person; subclasses list their tasks with weights in `mix`."""

    abstract = True
    persona = ""
    mix: dict[str, int] = {}

    def wait_time(self):  # the think time, scaled (0 in a capacity run)
        return 0 if SMOKE else random.uniform(2, 8) * THINK

    def on_start(self):
        self._turns = itertools.cycle(self.mix)
        self.account = take_account(self.persona)
        self.sign_in()

    def think(self):
        gevent.sleep(self.wait_time())

    @task
    def next_task(self):
        if SMOKE:
            name = next(self._turns)
        else:
            name = random.choices(list(self.mix), weights=list(self.mix.values()))[0]
        getattr(self, name)()

    # One request, named by its type; anything but the expected statuses is a failure.
    def call(self, method, url, name, expect=(200,), **kwargs):
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as resp:
            if resp.status_code == 0:
                resp.failure(no_answer(resp))
            elif resp.status_code >= 500:
                resp.failure(f"HTTP {resp.status_code}")
            elif resp.status_code not in expect:
                resp.failure(f"unexpected status {resp.status_code}")
            elif resp.status_code == 302 and SIGNED_OUT.match(resp.headers.get("Location", "")):
                resp.failure("sent to the login page")
            else:
                resp.success()
            return resp

    def page(self, url, name, **kwargs):
        resp = self.call("GET", url, name, **kwargs)
        return Page(resp.text if resp.status_code == 200 else "")

    def submit(self, url, name, form, expect=(302,), **given):
        resp = self.call("POST", url, name, expect=expect, data=fill(form, **given))
        return resp.headers.get("Location", "")

    def sign_in(self):
        forms = self.page("/login/", "login: page")
        form = forms.form() or {"fields": []}
        where = self.submit(
            "/login/",
            "login: password",
            form,
            username=self.account["username"],
            password=PLAN["password"],
        )
        forms = self.page(where or "/login/verify/", "login: code page")
        self.submit(
            "/login/verify/",
            "login: code",
            forms.form() or {"fields": []},
            code=fresh_code(self.account),
        )
        self.home()

    def home(self):
        forms = self.page("/", "home")
        if not getattr(self, "_assets", False):
            # A browser fetches the style sheet and scripts once, then keeps them.
            self._assets = True
            for link in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', forms.text):
                self.call("GET", link, "static: asset")
        return forms

    def case_lookup(self):
        """The case list, searched by part of a code the person knows, then a case's page (with
        its timeline, procedure stage and referrals)."""
        codes = self.account.get("codes") or []
        query = random.choice(codes)[-6:] if codes and random.random() < 0.7 else ""
        forms = self.page(f"/cases/?q={query}" if query else "/cases/", "case: list")
        found = ids(forms.links, r"/cases/(\d+)/")
        if not found:
            forms = self.page("/cases/", "case: list")
            found = ids(forms.links, r"/cases/(\d+)/")
        if found:
            self.think()
            case = random.choice(found)
            return case, self.page(f"/cases/{case}/", "case: detail")
        return None, None

    def worklist(self):
        return self.page("/worklist/", "worklist")


class Frontline(Person):
    """Police, health, social and border staff: screenings, started, saved page by page (some
    left for later), completed."""

    weight = 40
    fixed_count = 1 if SMOKE else 0
    persona = "frontline"
    mix = {"screening_full": 5, "screening_later": 2, "screening_list": 2, "home": 1}

    def _start(self):
        forms = self.page("/screenings/new/", "screening: start page")
        form = forms.form()
        self.think()
        where = self.submit(
            "/screenings/new/",
            "screening: start",
            form,
            person_ref=f"LT-{random.randint(1000, 9999)}",
        )
        match = re.search(r"/screenings/(\d+)/step/", where)
        return int(match.group(1)) if match else None

    def _section(self, pk, index, go="next"):
        forms = self.page(f"/screenings/{pk}/step/{index}/", "screening: section")
        form = forms.form()
        if form is None:
            return ""
        self.think()
        return self.submit(
            f"/screenings/{pk}/step/{index}/", "screening: save section", form, go=go
        )

    def screening_full(self):
        pk = self._start()
        if pk is None:
            return
        index, where = 1, f"/screenings/{pk}/step/1/"
        while "/step/" in where and index < 20:
            where = self._section(pk, index)
            index += 1
        if not where.endswith("/review/"):
            return
        forms = self.page(where, "screening: review")
        form = forms.form("/complete/")
        self.think()
        where = self.submit(f"/screenings/{pk}/complete/", "screening: complete", form)
        if where:
            self.page(where, "screening: outcome")

    def screening_later(self):
        pk = self._start()
        if pk is not None:
            self._section(pk, 1, go="later")

    def screening_list(self):
        outcome = random.choice(["", "", "potential_victim", "presumed_victim"])
        self.page(f"/screenings/?outcome={outcome}", "screening: list")


class CaseManager(Person):
    """Social workers who hold the cases: look them up, move the procedure's stage, refer."""

    weight = 15
    fixed_count = 1 if SMOKE else 0
    persona = "case_manager"
    mix = {"case_lookup": 5, "move_stage": 2, "refer": 2, "worklist": 3}

    def move_stage(self):
        case, forms = self.case_lookup()
        form = forms and forms.form("/progress/")
        if form:
            self.think()
            stages = next(f for f in form["fields"] if f["name"] == "stage")["options"]
            stage = random.choice([v for v, _ in stages])
            self.submit(f"/cases/{case}/progress/", "case: move stage", form, stage=stage)

    def refer(self):
        case, forms = self.case_lookup()
        if not forms or f"/cases/{case}/refer/" not in forms.links:
            return
        self.think()
        forms = self.page(f"/cases/{case}/refer/", "referral: form")
        form = forms.form()
        services = next((f for f in form["fields"] if f["name"] == "service"), None)
        choices = [v for v, _ in (services or {}).get("options", []) if v]
        if not choices:
            return
        self.think()
        # A referral the service already has open is refused with the form again (400): the
        # person then picks another service, as here.
        where = self.submit(
            f"/cases/{case}/refer/",
            "referral: send",
            form,
            expect=(302, 400),
            service=random.choice(choices),
            reason="Needs a safe place tonight.",
            override_reason="Load test: consent recorded on paper.",
        )
        if where:
            self.page(where, "referral: detail")


class Provider(Person):
    """Shelters, services and identification teams: the worklist, a referral, its answer."""

    weight = 15
    fixed_count = 1 if SMOKE else 0
    persona = "provider"
    mix = {"answer": 4, "worklist": 3, "directory": 1, "case_lookup": 1}
    _flip = itertools.cycle([False, True])

    def answer(self):
        """Open the referrals of the worklist (at most three) until one waits for an answer or
        the next step, and give it: a quarter of new referrals are declined (in the smoke run,
        every other one, so that both are seen)."""
        forms = self.worklist()
        found = ids(forms.links, r"/referrals/(\d+)/")
        random.shuffle(found)
        decline = next(self._flip) if SMOKE else random.random() < 0.25
        for pk in found if SMOKE else found[:3]:
            self.think()
            forms = self.page(f"/referrals/{pk}/", "referral: detail")
            steps = [s for s in ("accept", "decline", "start", "complete") if forms.form(f"/{s}/")]
            if not steps or (SMOKE and ("decline" if decline else "accept") not in steps):
                continue
            step = "decline" if decline and "decline" in steps else steps[0]
            self.think()
            where = self.submit(
                f"/referrals/{pk}/{step}/",
                f"referral: {step}",
                forms.form(f"/{step}/"),
                **({"reason": "No free place this week."} if step == "decline" else {}),
            )
            if where:
                self.page(where, "referral: detail")
            return

    def directory(self):
        self.page("/services/", "service: directory")


class Coordinator(Person):
    """The national coordinator's office: the dashboards."""

    weight = 10
    fixed_count = 1 if SMOKE else 0
    persona = "coordinator"
    mix = {"home": 3, "worklist": 3, "emergencies": 1, "cases_by_status": 2, "releases": 1}

    def emergencies(self):
        forms = self.page("/emergencies/", "dashboard: emergencies")
        found = ids(forms.links, r"/emergencies/(\d+)/")
        if found:
            self.think()
            self.page(f"/emergencies/{random.choice(found)}/", "dashboard: emergency area")

    def cases_by_status(self):
        status = random.choice(["", "open", "in_assistance", "closed"])
        self.page(f"/cases/?status={status}", "case: list")

    def releases(self):
        self.page("/statistics/releases/", "dashboard: releases")


class ApiClient(HttpUser):
    """An integration reading with a token (`veza token create`): cases, referrals, screenings."""

    weight = 20
    fixed_count = 1 if SMOKE else 0

    def wait_time(self):
        return 0 if SMOKE else random.uniform(1, 4) * THINK

    def on_start(self):
        if not _tokens:
            _tokens.extend(PLAN.get("tokens", []))
        entry = _tokens.popleft()
        _tokens.append(entry)  # more clients than tokens share them
        self.client.headers["Authorization"] = f"Token {entry['token']}"
        self.client.headers["Accept"] = "application/json"
        self._turns = itertools.cycle(["cases", "referrals", "screenings", "me"])

    def get(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as resp:
            if resp.status_code == 0:
                resp.failure(no_answer(resp))
            elif resp.status_code >= 500:
                resp.failure(f"HTTP {resp.status_code}")
            elif resp.status_code != 200:
                resp.failure(f"unexpected status {resp.status_code}")
            return resp

    @task
    def next_task(self):
        kind = (
            next(self._turns)
            if SMOKE
            else random.choices(["cases", "referrals", "screenings", "me"], weights=[5, 3, 2, 1])[0]
        )
        if kind == "me":
            self.get("/api/v1/users/me/", "api: me")
            return
        status = {"referrals": "?status=sent", "cases": "", "screenings": ""}[kind]
        resp = self.get(f"/api/v1/{kind}/{status}", f"api: {kind} list")
        results = resp.json().get("results", []) if resp.status_code == 200 else []
        if results:
            item = random.choice(results)
            self.get(f"/api/v1/{kind}/{item['id']}/", f"api: {kind} detail")


class BareUser(HttpUser):
    """The floor: a plain Django view through the same server and middleware (run on its own,
    after the mix, with the same users and think time)."""

    weight = 1

    def wait_time(self):
        return random.uniform(2, 8) * THINK

    @task
    def bare(self):
        with self.client.get("/bench/bare/", name="bare view", catch_response=True) as resp:
            if resp.status_code == 0:
                resp.failure(no_answer(resp))
            elif resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
