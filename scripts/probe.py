"""Probe a running civicgrid demo the way an attacker would, one check per finding of the security review.

    .venv/bin/python scripts/probe.py [--base http://127.0.0.1:8000] [--password PW]

The password defaults to $CIVICGRID_DEMO_PASSWORD, else var/demo_password. Every check talks HTTP only;
the ground truth it needs (a resident's real ID number) comes from a role that may unmask, through the
audited reveal endpoint. Writes a few cases and photos to the demo database. Exit status 1 when a check
fails. Not a test: the suite proves each control in-process; this shows the running demo agrees.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import io
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

LOGINS = ["admin", "security", "auditor", "dispatcher", "leader", "street", "community", "gridworker", "microworker",
          "handler", "police", "volunteer", "station", "centre", "officer", "company", "resident"]
STAFF_WITHOUT_UNMASK = ["dispatcher", "leader", "microworker", "station", "centre", "volunteer", "resident"]
# logins whose roles hold neither people.view_sensitive_tags nor fieldwork.view_key_person (docs/roles.md)
WITHOUT_SENSITIVE_TAGS = ["leader", "dispatcher", "microworker", "street", "station", "centre", "volunteer", "resident"]
HOSTILE = {"day": "9999-12-31", "since": "0001-01-01", "until": "9999-12-31", "month": "9999-12",
           "offset": "9223372036854775808", "limit": "9223372036854775808"}


class Client:
    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base.rstrip("/"), token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        """(status, headers, bytes); never raises on an HTTP status."""
        data, hdrs = raw, dict(headers or {})
        if body is not None:
            data, hdrs["Content-Type"] = json.dumps(body).encode(), "application/json"
        if self.token:
            hdrs.setdefault("Authorization", f"Bearer {self.token}")
        request = urllib.request.Request(self.base + path, data=data, headers=hdrs, method=method)
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()
        except urllib.error.URLError as error:  # the server hung up (e.g. on an oversized body)
            return 0, {}, str(error.reason).encode()

    def json(self, method: str, path: str, body=None, headers=None):
        status, _, content = self.call(method, path, body, headers)
        try:
            return status, json.loads(content) if content else None
        except ValueError:
            return status, content[:200]

    def sign_in_page(self, username: str, password: str) -> bool:
        _, _, page = self.call("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token.group(1).decode() if token else ""}).encode()
        status, _, _ = self.call("POST", "/accounts/login/", raw=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + "/accounts/login/"})
        return status in (200, 302)


class Probe:
    def __init__(self, base: str, password: str):
        self.base, self.password = base, password
        self.results: list[tuple[str, bool, str]] = []
        self.clients: dict[str, Client] = {}

    def api(self, login: str) -> Client:
        if login not in self.clients:
            status, answer = Client(self.base).json("POST", "/api/v1/auth/token",
                                                   {"username": login, "password": self.password})
            if status != 200:
                raise RuntimeError(f"cannot sign in as {login}: {status} {_code(answer)}")
            self.clients[login] = Client(self.base, answer["token"])
        return self.clients[login]

    def check(self, finding: str, ok: bool, detail: str = "") -> None:
        self.results.append((finding, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {finding}{': ' + detail if detail else ''}", flush=True)

    # 1 — masks that cannot be undone, look-ups that are no oracle
    def masking(self) -> None:
        grid = self.api("gridworker")
        _, listing = grid.json("GET", "/api/v1/people/residents?limit=50")
        resident = next(item for item in listing["items"] if item.get("phone"))  # one with both numbers
        status, revealed = grid.json("POST", f"/api/v1/people/residents/{resident['id']}/reveal",
                                     {"reason": "安全探测:核对脱敏"})
        if status != 200:
            self.check("1 masking: ground truth", False, f"reveal answered {status}")
            return
        right_id, right_phone = revealed["id_number"], revealed.get("phone") or ""
        wrong_id = right_id[:-2] + ("00" if right_id[-2:] != "00" else "11")
        wrong_phone = right_phone[:-2] + ("00" if right_phone[-2:] != "00" else "11")
        for login in STAFF_WITHOUT_UNMASK:
            client = self.api(login)
            for name, right, wrong in (("id_number", right_id, wrong_id), ("phone", right_phone, wrong_phone),
                                       ("q", right_id, wrong_id), ("q", right_phone, wrong_phone)):
                for path in ("/api/v1/people/residents", "/api/v1/volunteers/volunteers",
                             "/api/v1/gridops/key-persons", "/api/v1/accounts/users"):
                    a = client.call("GET", f"{path}?{name}={urllib.parse.quote(right)}")
                    b = client.call("GET", f"{path}?{name}={urllib.parse.quote(wrong)}")
                    same = a[0] == b[0] and (_strip_ids(a[2]).replace(right.encode(), b"GUESS")
                                             == _strip_ids(b[2]).replace(wrong.encode(), b"GUESS"))
                    if not same:
                        self.check(f"1 masking oracle {login} {path}?{name}", False, f"{a[0]} vs {b[0]}")
                        return
            _, seen = client.json("GET", "/api/v1/people/residents?limit=50")
            items = seen.get("items", []) if isinstance(seen, dict) else []
            leaked = [i for i in items if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(i.get("birth_date") or ""))]
            if leaked:
                self.check(f"1 masking: {login} sees full birth dates", False, leaked[0]["birth_date"])
                return
        self.check("1 masking oracle", True, f"{len(STAFF_WITHOUT_UNMASK)} roles × 4 lists × id/phone/q")

    # 2 and 12 — headers that keep script and caches out
    def headers(self) -> None:
        page = Client(self.base)
        page.sign_in_page("community", self.password)
        failures = []
        for path in ("/", "/people/", "/gridops/patrols/", "/cases/"):
            status, hdrs, _ = page.call("GET", path)
            csp = hdrs.get("Content-Security-Policy", "")
            if "script-src" not in csp and "default-src" not in csp or "unsafe-inline" in _directive(csp, "script-src"):
                failures.append(f"{path} CSP {csp[:60]!r}")
            if not hdrs.get("Permissions-Policy"):
                failures.append(f"{path} no Permissions-Policy")
            if "no-store" not in hdrs.get("Cache-Control", ""):
                failures.append(f"{path} cacheable")
        csrf = [c for c in page.jar if c.name == "csrftoken"]
        if csrf and not csrf[0].has_nonstandard_attr("HttpOnly"):
            failures.append("csrftoken readable by script")
        self.check("2/12 security headers", not failures, "; ".join(failures[:4]))

    # 3 — user text in Excel exports is text
    def formula_injection(self) -> None:
        try:
            import openpyxl
        except ImportError:
            self.check("3 formula injection", False, "openpyxl missing")
            return
        title = "=HYPERLINK(\"http://example.invalid\",\"x\")"
        status, case = self.api("gridworker").json("POST", "/api/v1/cases", {**_case_body(title), "address": title, "title": title},
                                                   {"Idempotency-Key": str(uuid.uuid4())})
        if status not in (200, 201):
            self.check("3 formula injection: report", False, f"{status} {case}")
            return
        formulas = []
        for login, path in (("dispatcher", "/cases/export/"), ("community", "/people/export/")):
            page = Client(self.base)
            page.sign_in_page(login, self.password)
            status, _, content = page.call("GET", path)
            if status != 200:
                formulas.append(f"{path}: {status}")
                continue
            book = openpyxl.load_workbook(io.BytesIO(content))
            formulas += [f"{path} {c.coordinate}" for ws in book for row in ws.iter_rows() for c in row
                         if c.data_type == "f"]
        self.check("3 formula injection", not formulas, ", ".join(formulas[:3]))

    # 4 — an idempotency key with a different body
    def idempotency(self) -> None:
        client, key = self.api("gridworker"), str(uuid.uuid4())
        first = client.json("POST", "/api/v1/cases", _case_body("楼道堆放杂物 一"), {"Idempotency-Key": key})
        second = client.json("POST", "/api/v1/cases", _case_body("井盖缺失 二"), {"Idempotency-Key": key})
        ok = first[0] == 201 and second[0] == 422 and (second[1] or {}).get("code") == "idempotency_key_reused"
        self.check("4 idempotency key reuse", ok, f"{first[0]} then {second[0]} {_code(second[1])}")

    # 5 — a resident may not pick the channel
    def channel(self) -> None:
        status, answer = self.api("resident").json("POST", "/api/v1/cases", {**_case_body("路灯不亮"),
                                                    "channel": "police"}, {"Idempotency-Key": str(uuid.uuid4())})
        self.check("5 channel from role", status == 403, f"{status} {_code(answer)}")

    # 6 — the routing explanation shows a resident no login names
    def routing(self) -> None:
        resident = self.api("resident")
        status, case = resident.json("POST", "/api/v1/cases", _case_body("小区门口垃圾未清运"),
                                     {"Idempotency-Key": str(uuid.uuid4())})
        _, mine = resident.json("GET", "/api/v1/cases?limit=5")
        ids = {item["id"] for item in (mine or {}).get("items", [])} | ({case["id"]} if status in (200, 201) else set())
        shown = set()
        for case_id in ids:
            _, detail = resident.json("GET", f"/api/v1/cases/{case_id}")
            routing = json.dumps((detail or {}).get("routing"), ensure_ascii=False)
            shown |= {u for u in LOGINS if f'"{u}"' in routing}
        self.check("6 routing explanation", bool(ids) and not shown, f"{len(ids)} cases; logins shown: {sorted(shown)}")

    # 6 — lockout: unknown and known names answer alike, and the owner still signs in (run last: it locks)
    def lockout(self) -> None:
        anon = Client(self.base)
        nobody = f"nobody{uuid.uuid4().hex[:6]}"
        unknown = [anon.json("POST", "/api/v1/auth/token", {"username": nobody, "password": "Wrong-pass-1"})
                   for _ in range(7)]
        _, users = self.api("dispatcher").json("GET", f"/api/v1/accounts/users?limit=1&offset={os.getpid() % 5000}")
        someone = users["items"][0]["username"]  # a worker this run has not tried yet
        known = [anon.json("POST", "/api/v1/auth/token", {"username": someone, "password": "Wrong-pass-1"})
                 for _ in range(7)]
        same = [(s, _code(a)) for s, a in unknown] == [(s, _code(a)) for s, a in known]
        self.check("6 lockout does not tell names apart", same,
                   f"unknown {[s for s, _ in unknown]} known {[s for s, _ in known]}")

    # 7 — sensitive tags: only roles with people.view_sensitive_tags or fieldwork.view_key_person see them
    def sensitive_tags(self) -> None:
        _, known = self.api("police").json("GET", "/api/v1/gridops/key-persons?limit=200")
        items = (known or {}).get("items", [])
        words = {item["tag_code"] for item in items} | {item["tag_name"] for item in items}
        leaks = []
        for login in WITHOUT_SENSITIVE_TAGS:
            client = self.api(login)
            page = Client(self.base)
            page.sign_in_page(login, self.password)
            for who, path in ((client, "/api/v1/gridops/key-persons?limit=200"),
                              (client, "/api/v1/people/residents?limit=200"), (page, "/gridops/key-persons/"),
                              (page, "/people/"), (page, "/gridops/visits/coverage/")):
                status, _, content = who.call("GET", path)
                text = json.dumps(json.loads(content), ensure_ascii=False) if path.startswith("/api") else content.decode()
                if status == 200 and any(word in text for word in words):
                    leaks.append(f"{login} {path.split('?')[0]}")
        self.check("7 sensitive tags", bool(words) and not leaks, f"{len(words)} tags; seen by {leaks}")

    # 8 and 11 — no 500 on hostile parameters; JSON stays JSON
    def hostile_parameters(self) -> None:
        client = self.api("dispatcher")
        status, schema = client.json("GET", "/api/v1/openapi.json")
        errors = []
        for path, operations in (schema or {}).get("paths", {}).items():
            get = operations.get("get")
            if not get:
                continue
            names = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
            concrete = re.sub(r"\{[^}]+\}", "9223372036854775808", path)
            tries = [f"{concrete}?{k}={urllib.parse.quote(v)}" for k, v in HOSTILE.items() if k in names]
            if "{" in path:
                tries.append(concrete)
            for url in tries:
                code, _, _ = client.call("GET", url)
                if code >= 500:
                    errors.append(f"{url} {code}")
        for login in ("microworker", "resident"):
            code, _, _ = self.api(login).call("GET", "/api/v1/cases?since=0001-01-01&until=9999-12-31")
            if code >= 500:
                errors.append(f"{login} cases {code}")
        self.check("8 hostile dates and integers", not errors, "; ".join(errors[:4]))
        code, _, content = client.call("GET", "/api/v1/geo/locate?lat=NaN&lng=inf")
        valid = True
        try:
            json.loads(content, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError:
            valid = False
        self.check("11 errors are valid JSON", valid and code < 500, f"{code} {content[:80]!r}")

    # 10 — photo metadata
    def photo_metadata(self) -> None:
        try:
            from PIL import Image
        except ImportError:
            self.check("10 photo metadata", False, "Pillow missing")
            return
        picture = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 50, 50)).save(picture, "JPEG", comment=b"SECRET-COMMENT")
        client = self.api("dispatcher")
        status, case = client.json("POST", "/api/v1/cases", _case_body("墙面涂鸦"), {"Idempotency-Key": str(uuid.uuid4())})
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n"
                "Content-Type: image/jpeg\r\n\r\n").encode() + picture.getvalue() + f"\r\n--{boundary}--\r\n".encode()
        code, answer = _loads(client.call("POST", f"/api/v1/cases/{case['id']}/photos", raw=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": str(uuid.uuid4())}))
        if code not in (200, 201) or not isinstance(answer, dict):
            self.check("10 photo metadata", False, f"upload {code} {answer}")
            return
        page = Client(self.base)
        page.sign_in_page("dispatcher", self.password)
        _, _, stored = page.call("GET", f"/cases/{case['id']}/photos/{answer['id']}/")
        self.check("10 photo metadata", b"SECRET-COMMENT" not in stored and stored[:2] == b"\xff\xd8",
                   f"{len(stored)} bytes")

    # 12 — tokens, bodies, invisible text
    def hardening(self) -> None:
        anon = Client(self.base)
        status, answer = anon.json("POST", "/api/v1/cases", _case_body("x"), {"Authorization": "Bearer cg_bad"})
        self.check("12 bad token is 401", status == 401, f"{status} {_code(answer)}")
        status, content = _post_big(self.base, "/api/v1/cases", 12 * 1024 * 1024, self.api("gridworker").token)
        self.check("12 oversized body is JSON 413", status == 413 and content[:1] == b"{", f"{status}")
        status, answer = self.api("gridworker").json("POST", "/api/v1/cases", _case_body("\u200b\u200b \u2060"),
                                                     {"Idempotency-Key": str(uuid.uuid4())})
        self.check("12 invisible description refused", status == 422, f"{status} {_code(answer)}")
        status, answer = self.api("gridworker").json("POST", "/api/v1/cases", _case_body("路面\x00破损"),
                                                     {"Idempotency-Key": str(uuid.uuid4())})
        self.check("12 NUL refused", status == 422, f"{status} {_code(answer)}")


def _post_big(base: str, path: str, size: int, token: str) -> tuple[int, bytes]:
    """POST `size` bytes of JSON and read the answer even when the server answers before the body is sent
    (as it should: it refuses by Content-Length) and closes the connection under the sender."""
    url = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)
    try:
        connection.request("POST", path, body=b"{" + b" " * (size - 2) + b"}", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = connection.getresponse()
    return answer.status, answer.read()


def _case_body(description: str) -> dict:
    return {"description": description, "category": "0102", "lat": 41.205, "lng": 123.205,
            "address": "探测地址 1 号", "is_anonymous": False}


def _code(answer) -> str:
    return answer.get("code", "") if isinstance(answer, dict) else ""


def _loads(result):
    status, _, content = result
    try:
        return status, json.loads(content)
    except ValueError:
        return status, None


def _strip_ids(content: bytes) -> bytes:
    return re.sub(rb'"(request_id|generated_at)": ?"[^"]*"', b"", content)


def _directive(csp: str, name: str) -> str:
    for part in csp.split(";"):
        if part.strip().startswith(name):
            return part
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default=os.environ.get("CIVICGRID_DEMO_PASSWORD", ""))
    args = parser.parse_args()
    password = args.password or (Path(__file__).resolve().parent.parent / "var" / "demo_password").read_text().strip()
    probe = Probe(args.base, password)
    for check in (probe.masking, probe.headers, probe.formula_injection, probe.idempotency, probe.channel,
                  probe.routing, probe.sensitive_tags, probe.hostile_parameters,
                  probe.photo_metadata, probe.hardening, probe.lockout):
        try:
            check()
        except Exception as error:  # a probe that crashes is a finding too, not the end of the run
            probe.check(check.__name__, False, f"probe error {type(error).__name__}: {error}")
    failed = [r for r in probe.results if not r[1]]
    print(f"{len(probe.results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
