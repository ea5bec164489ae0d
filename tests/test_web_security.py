"""Sign-in, sessions, CSRF, sign-in limits, headers, and what a submitter may open by URL."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD, PDF
from tests.web_helpers import csrf_token, page_client, sign_in
from web.security import sign_in_limiter
from workflow.models import Dossier, db

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def fresh_limits(app):
    sign_in_limiter(app).reset()
    yield
    sign_in_limiter(app).reset()


def test_login_page_and_home_follow_the_contract(app, factory):
    mine = factory.dossier("submitted", unit="ba-dinh", name="Phạm Thị Ngọc Ánh")
    theirs = factory.dossier("submitted", unit="cau-giay", name="Hoàng Thị Bích Ngọc")
    client = page_client(app)
    page = client.get("/login").text
    assert '<form method="post" action="/login"' in page
    for field in ('name="username"', 'name="password"', 'name="csrf_token"'):
        assert field in page
    assert client.get("/").headers["Location"].startswith("/login")

    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    home = submitter.get("/").text
    assert mine.nominee_name in home and theirs.nominee_name not in home
    office_home = sign_in(app, factory.user("office")).get("/").text
    assert mine.nominee_name in office_home and theirs.nominee_name in office_home


def test_session_cookie_is_protected_and_renewed_at_sign_in(app, factory):
    user = factory.user("office")
    client = page_client(app)
    token = csrf_token(client)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].split(":")[0] == str(user.id)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302

    from config import ProductionConfig
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_wrong_password_is_refused_in_vietnamese(app, factory):
    user = factory.user("office")
    client = page_client(app)
    response = client.post("/login", data={"username": user.username, "password": "wrong",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert client.get("/").status_code == 302


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(app, factory):
    dossier = factory.dossier("submitted")
    office = sign_in(app, factory.user("office"))
    response = office.post(f"/dossiers/{dossier.id}/events/accept", data={"version": dossier.version})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.text and "<!doctype html>" in response.text
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "submitted"

    submitter_user = factory.user_once("submitter", "ba-dinh")
    submitter = sign_in(app, submitter_user)
    draft = factory.draft(documents=False)
    response = submitter.post(f"/dossiers/{draft.id}/documents", data={"kind": "to_trinh",
                              "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Dossier, draft.id).documents == []

    client = page_client(app)
    client.get("/login")
    refused = client.post("/login", data={"username": submitter_user.username, "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/").status_code == 302


def test_failed_sign_ins_are_limited_per_account(app, factory):
    user = factory.user("office")
    other = factory.user("chair")
    client = page_client(app)
    for _attempt in range(5):
        response = client.post("/login", data={"username": user.username, "password": "wrong",
                                               "csrf_token": csrf_token(client)})
        assert response.status_code == 401
    blocked = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                          "csrf_token": csrf_token(client)})
    assert blocked.status_code == 429
    assert "Quá nhiều lần thử" in blocked.text
    assert client.get("/").status_code == 302
    sign_in(app, other)  # another account from the same address still signs in


def test_failed_sign_ins_are_limited_per_address_and_successes_never_count(app, factory):
    user = factory.user("office")
    for _ in range(8):
        sign_in(app, user)
    default = app.config["LOGIN_LIMIT_PER_ADDRESS"]
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    try:
        client = page_client(app)
        for name in ("a", "b", "c"):
            assert client.post("/login", data={"username": name, "password": "x",
                                               "csrf_token": csrf_token(client)}).status_code == 401
        response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                               "csrf_token": csrf_token(client)})
        assert response.status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = default


def test_the_login_page_and_the_token_endpoint_count_failures_together(app, factory):
    user = factory.user("office")
    client = page_client(app)
    for _attempt in range(5):
        assert client.post("/login", data={"username": user.username, "password": "wrong",
                                           "csrf_token": csrf_token(client)}).status_code == 401
    response = client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 and response.json["error"]["code"] == "rate_limited"


ATTACKER = {"REMOTE_ADDR": "203.0.113.5"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def fail(client, username: str, environ: dict, headers: dict | None = None) -> int:
    return client.post("/api/v1/tokens", json={"username": username, "password": "guess"}, environ_base=environ,
                       headers=headers or {}).status_code


def test_an_attacker_at_one_address_does_not_lock_the_owner_out_until_the_account_wide_limit(app, factory):
    user = factory.user("chair")
    client = app.test_client()
    owner = page_client(app)
    sign = {"username": user.username, "password": PASSWORD}
    default = app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "8 per hour"  # the default is 50 per hour
    try:
        for _attempt in range(5):
            assert fail(client, user.username, ATTACKER) == 401
        assert fail(client, user.username, ATTACKER) == 429
        signed = owner.post("/login", data=sign | {"csrf_token": csrf_token(owner)}, environ_base=OWNER)
        assert signed.status_code == 302

        for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
            assert fail(client, user.username, {"REMOTE_ADDR": address}) == 401
        blocked = owner.post("/login", data=sign | {"csrf_token": csrf_token(owner)}, environ_base=OWNER)
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["Retry-After"]) <= 3600
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = default


def test_a_blocked_sign_in_says_when_to_try_again(app, factory):
    user = factory.user("office")
    client = page_client(app)
    for _attempt in range(5):
        client.post("/login", data={"username": user.username, "password": "wrong", "csrf_token": csrf_token(client)})
    page = client.post("/login", data={"username": user.username, "password": "wrong",
                                       "csrf_token": csrf_token(client)})
    seconds = int(page.headers["Retry-After"])
    assert 0 < seconds <= 15 * 60
    minutes = -(-seconds // 60)
    assert f"hãy thử lại sau {minutes} phút" in page.text
    api = client.post("/api/v1/tokens", json={"username": user.username, "password": "wrong"},
                      headers={"Accept-Language": "en"})
    assert api.status_code == 429 and 0 < int(api.headers["Retry-After"]) <= 15 * 60
    assert re.search(r"try again in \d+ minutes?", api.json["error"]["message"])


def test_x_forwarded_for_counts_only_behind_a_configured_proxy(app, factory, tmp_path, postgres_url):
    from tests.conftest import make_app

    user = factory.user("office")
    direct = app.test_client()
    for number in range(5):
        assert fail(direct, user.username, ATTACKER, {"X-Forwarded-For": f"192.0.2.{number}"}) == 401
    # A forged header does not make an attacker's requests look as if they came from elsewhere.
    assert fail(direct, user.username, ATTACKER, {"X-Forwarded-For": "192.0.2.99"}) == 429

    proxied_app = make_app(tmp_path, postgres_url, TRUSTED_PROXIES=1)
    proxied = proxied_app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _attempt in range(5):
        assert fail(proxied, user.username, proxy, {"X-Forwarded-For": ATTACKER["REMOTE_ADDR"]}) == 401
    assert fail(proxied, user.username, proxy, {"X-Forwarded-For": ATTACKER["REMOTE_ADDR"]}) == 429
    owner = proxied.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD},
                         environ_base=proxy, headers={"X-Forwarded-For": OWNER["REMOTE_ADDR"]})
    assert owner.status_code == 201
    app.extensions["celery"].set_current()


def test_the_token_endpoint_shares_the_failed_sign_in_limit(app, factory):
    user = factory.user("office")
    client = page_client(app)
    for _attempt in range(5):
        assert client.post("/api/v1/tokens", json={"username": user.username, "password": "no"}).status_code == 401
    response = client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"


def test_security_headers_and_no_inline_script(app, factory):
    client = sign_in(app, factory.user("office"))
    for path in ("/login", "/", "/dossiers", "/api/v1/award-types", "/healthz"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    page = client.get("/").text
    assert "<script>" not in page and " onclick=" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_api_answers_are_never_cached(app, factory):
    user = factory.user("office")
    client = app.test_client()
    issued = client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD})
    answers = [issued, client.get("/api/v1/units", headers={"Authorization": f"Bearer {issued.json['token']}"}),
               client.get("/api/v1/units"), client.get("/api/v1/openapi.json")]
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store", answer.request.path


def test_the_sign_in_form_comes_before_the_language_switch(app):
    page = page_client(app).get("/login").text
    forms = re.findall(r'<form [^>]*action="([^"]*)"', page)
    assert forms[0].startswith("/login") and "/language" in forms


def test_the_api_does_not_accept_a_session_cookie(app, factory):
    client = sign_in(app, factory.user("office"))
    assert client.get("/api/v1/dossiers").status_code == 401


def test_a_submitter_cannot_open_another_units_dossier_or_file(app, factory):
    theirs = factory.draft(unit="cau-giay", name="Đặng Thị Thu")
    document = theirs.documents[0]
    documents = len(theirs.documents)
    mine = factory.draft(unit="ba-dinh")
    me = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    token = csrf_token(me, "/")
    for path in (f"/dossiers/{theirs.id}", f"/dossiers/{theirs.id}/edit", f"/dossiers/{theirs.id}/events/submit",
                 f"/dossiers/{theirs.id}/documents/{document.id}"):
        response = me.get(path)
        assert response.status_code == 404, path
        assert theirs.nominee_name not in response.text and "Không tìm thấy" in response.text
    for path, data in ((f"/dossiers/{theirs.id}/documents/{document.id}/delete", {}),
                       (f"/dossiers/{theirs.id}/events/withdraw", {"version": theirs.version})):
        assert me.post(path, data={**data, "csrf_token": token}).status_code == 404
    assert theirs.nominee_name not in me.get("/dossiers?unit=cau-giay&q=dang thi thu").text
    db.session.expire_all()
    assert db.session.get(Dossier, theirs.id).state == "draft" and len(theirs.documents) == documents

    own = me.get(f"/dossiers/{mine.id}/documents/{mine.documents[0].id}")
    assert own.status_code == 200 and own.data == PDF
    assert "attachment" in own.headers["Content-Disposition"]


def test_page_errors_are_html_and_api_errors_stay_json(app, factory):
    client = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "Không tìm thấy trang" in missing.text
    forbidden = client.get("/dashboard")
    assert forbidden.status_code == 403 and "Không có quyền truy cập" in forbidden.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"


FAIL_SIGN_INS = """
import sys, re
from pathlib import Path
from tests.conftest import make_app
app = make_app(Path(sys.argv[1]), sys.argv[2], REDIS_URL=sys.argv[3])
client = app.test_client()
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
for _ in range(int(sys.argv[4])):
    status = client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token}).status_code
    print(status)
"""


@pytest.mark.redis
def test_with_redis_the_sign_in_limits_are_shared_by_every_web_process(tmp_path, postgres_url, redis_url):
    """Two separate processes (as two gunicorn workers) count the same account's failures together."""
    import subprocess
    import sys

    import redis

    def run(count: int) -> list[str]:
        result = subprocess.run([sys.executable, "-c", FAIL_SIGN_INS, str(tmp_path), postgres_url, redis_url,
                                 str(count)], capture_output=True, text=True, timeout=120,
                                cwd=Path(__file__).resolve().parent.parent)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert run(3) == ["401"] * 3
    assert run(3) == ["401", "401", "429"]
    assert redis.Redis.from_url(redis_url).keys("*login*")


def test_sign_in_returns_only_to_a_page_of_this_site(app, factory):
    user = factory.user("office")
    client = page_client(app)
    token = csrf_token(client)
    for target, expected in (("/dossiers?state=submitted", "/dossiers?state=submitted"),
                             ("//evil.example/x", "/"), ("https://evil.example/", "/"),
                             ("/%5Cevil.example/x", "/")):
        response = client.post(f"/login?next={target}", data={"username": user.username, "password": PASSWORD,
                                                                "csrf_token": token})
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        token = csrf_token(client)


def test_sign_in_still_works_and_is_limited_when_redis_is_down(tmp_path, postgres_url):
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    result = subprocess.run([sys.executable, "-c", FAIL_SIGN_INS, str(tmp_path), postgres_url,
                             f"redis://127.0.0.1:{dead_port}/0", "6"], capture_output=True, text=True, timeout=300,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["401"] * 5 + ["429"]
