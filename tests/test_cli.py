"""The command line: seed, users create, demo."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from tests.conftest import create_postgres_database, drop_postgres_database, truncate_all
from workflow.procedure import catalogue
from workflow.demo import DEMO_DATA_DIR, DEMO_PASSWORD, DEMO_USERS
from workflow.i18n import today
from workflow.models import AwardType, Campaign, Dossier, HistoryEntry, Unit, User, db

PROJECT_DIR = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("light_password_hashing")


def run(app, *args, stdin=None):
    return app.test_cli_runner().invoke(args=list(args), input=stdin)


def table_counts() -> dict:
    db.session.rollback()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Unit, AwardType, Campaign, User, Dossier, HistoryEntry)}


def sign_in(app, username, password):
    return app.test_client().post("/api/v1/tokens", json={"username": username, "password": password})


# seed -------------------------------------------------------------------------------------------

def test_seed_twice_changes_nothing(app):
    truncate_all(app)

    first = run(app, "seed")
    assert first.exit_code == 0, first.output
    assert "38 units, 7 award_types, 1 campaigns" in first.output
    after_first = table_counts()
    assert (after_first["Unit"], after_first["AwardType"], after_first["Campaign"]) == (38, 7, 1)

    # The organisation edits the reference data; seeding again must keep its edits.
    db.session.execute(Unit.__table__.update().where(Unit.code == "ba-dinh").values(name="Hội LHPN phường Ba Đình"))
    db.session.commit()
    second = run(app, "seed")
    assert second.exit_code == 0, second.output
    assert "0 units, 0 award_types, 0 campaigns" in second.output
    assert table_counts() == after_first
    assert db.session.scalar(select(Unit.name).where(Unit.code == "ba-dinh")) == "Hội LHPN phường Ba Đình"


def test_upgrade_and_seed_on_a_fresh_database_from_the_shell(tmp_path):
    """What a new installation runs: `db upgrade`, then `seed` (twice: the second adds nothing)."""
    url = create_postgres_database("awards_cli")
    try:
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test", "INSTANCE_DIR": str(tmp_path),
               "REDIS_URL": ""}

        def flask(*args):
            result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=PROJECT_DIR,
                                    env=env, capture_output=True, text=True, timeout=180)
            assert result.returncode == 0, result.stderr
            return result.stdout

        flask("db", "upgrade")
        assert "38 units, 7 award_types, 1 campaigns" in flask("seed")
        assert "0 units, 0 award_types, 0 campaigns" in flask("seed")
    finally:
        drop_postgres_database(url)


# users create -----------------------------------------------------------------------------------

def test_users_create_reads_the_password_from_stdin(app):
    password = "mật khẩu rất dài 2024"
    result = run(app, "users", "create", "thu.vp", "--role", "office", "--unit", "van-phong",
                 "--email", "thu.vp@example.org", "--name", "Phạm Thị Thu", stdin=password + "\n")

    assert result.exit_code == 0, result.output
    assert "thu.vp" in result.output and password not in result.output
    user = db.session.scalar(select(User).where(User.username == "thu.vp"))
    assert (user.role, user.unit.code, user.email, user.full_name) == ("office", "van-phong", "thu.vp@example.org",
                                                                       "Phạm Thị Thu")
    assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash

    token = sign_in(app, "thu.vp", password)
    assert token.status_code == 201, token.json
    units = app.test_client().get("/api/v1/units", headers={"Authorization": f"Bearer {token.json['token']}"})
    assert units.status_code == 200
    assert sign_in(app, "thu.vp", password + "x").status_code == 401


@pytest.mark.parametrize(("args", "field"), [
    (["--role", "boss", "--unit", "van-phong", "--email", "a@example.org"], "role"),
    (["--role", "office", "--unit", "khong-co", "--email", "a@example.org"], "unit"),
    (["--role", "office", "--unit", "van-phong", "--email", "not-an-address"], "email"),
], ids=["role", "unit", "email"])
def test_users_create_refuses_bad_input_clearly(app, args, field):
    result = run(app, "users", "create", "someone", *args, stdin="long enough password\n")

    assert result.exit_code == 1
    assert result.output.startswith(f"{field}: ")
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_create_refuses_a_short_password_and_a_taken_name(app):
    short = run(app, "users", "create", "lan", "--role", "submitter", "--unit", "ba-dinh", "--email", "l@example.org",
                stdin="short\n")
    assert short.exit_code == 1 and "password: " in short.output

    assert run(app, "users", "create", "lan", "--role", "submitter", "--unit", "ba-dinh", "--email",
               "l@example.org", stdin="long enough password\n").exit_code == 0
    again = run(app, "users", "create", "lan", "--role", "chair", "--unit", "thanh-hoi", "--email", "x@example.org",
                stdin="another long password\n")
    assert again.exit_code == 1 and "username: " in again.output
    assert db.session.scalar(select(User.role).where(User.username == "lan")) == "submitter"


# demo -------------------------------------------------------------------------------------------

def test_demo_has_every_state_and_prints_the_logins(app):
    result = run(app, "demo")

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    for username, role, unit, _ in DEMO_USERS:
        assert any(line.split() == [username, role, unit] for line in result.output.splitlines()), username
    campaign = db.session.scalar(select(Campaign).where(Campaign.code.like("demo-%")))
    assert campaign.is_open and campaign.submission_deadline > today() and campaign.ceremony_date > today()
    states = set(db.session.scalars(select(Dossier.state).where(Dossier.campaign_id == campaign.id)))
    reference = catalogue().current("reference").states
    # The data files of workflow/demo_data/ add their dossiers, each in the state the file gives it.
    declared = [item for path in sorted(DEMO_DATA_DIR.glob("*.yaml"))
                for item in yaml.safe_load(path.read_text(encoding="utf-8"))["dossiers"]]
    assert declared
    # bk_tw_hoi goes through public disclosure: its dossiers are also waiting to be published, and published.
    assert states == set(reference) | set(catalogue().current("reference_public").states) \
        | {item["state"] for item in declared}
    for item in declared:
        dossier = db.session.scalars(select(Dossier).where(Dossier.nominee_name == item["nominee"]["name"])).one()
        assert (dossier.state, dossier.award_type.code) == (item["state"], item["award_type"])
        assert {k: dossier.details[k] for k in item["details"]} == item["details"]
    for state in reference:
        assert f"{state} " in result.output.split("Demo dossiers by state:")[1]
    roles = {role for _, role, _, _ in DEMO_USERS}
    assert roles == {"submitter", "office", "appraiser", "council", "chair", "admin"}
    for username, *_ in DEMO_USERS:
        assert sign_in(app, username, DEMO_PASSWORD).status_code == 201, username


def test_demo_shows_the_round_in_batches(app):
    from workflow import council, packets
    from workflow.rules import has_voted

    assert run(app, "demo").exit_code == 0
    users = {u.username: u for u in db.session.scalars(select(User))}
    office = users["vanphong"]
    summaries = {s.unit.code: s for s in packets.packet_summaries(office)}
    campaign = summaries["hoan-kiem"].campaign.code
    # Hoàn Kiếm's packet: its shared documents, its dossiers submitted whole and waiting for the office.
    hoan_kiem = packets.get_packet(office, campaign, "hoan-kiem")
    assert sorted(d.kind for d in packets.packet_documents(hoan_kiem)) == ["bien_ban", "danh_sach", "to_trinh"]
    waiting = [e for e in packets.packet_entries(office, hoan_kiem) if e.waiting]
    assert {e.dossier.nominee_name for e in waiting} >= {"Lương Thị Hòa", "Đinh Thị Quyên"}
    assert all(not e.missing for e in waiting)
    # Ba Đình's is in progress: a tờ trình shared, a draft still missing its own report, its history telling so.
    ba_dinh = packets.get_packet(users["nopho.badinh"], campaign, "ba-dinh")
    assert [d.kind for d in packets.packet_documents(ba_dinh)] == ["to_trinh"]
    in_progress = next(e for e in packets.packet_entries(users["nopho.badinh"], ba_dinh)
                       if e.dossier.nominee_name == "Tạ Thị Minh")
    assert in_progress.missing == ["bao_cao_thanh_tich"]
    assert "add_packet_document" in db.session.scalars(select(HistoryEntry.event).where(
        HistoryEntry.dossier_id == in_progress.dossier.id)).all()
    # One session closed, its minutes attached to each of its dossiers; one convened, two sheets sent.
    sessions = council.council_sessions(office)
    closed, = [s for s in sessions if not s.is_open]
    convened, = [s for s in sessions if s.is_open]
    assert [item.passed for item in closed.items] == [True, False]
    assert len(closed.attendance) == 4 and sum(a.present for a in closed.attendance) == 3
    for item in closed.items:
        assert {d.filename for d in item.dossier.documents if d.kind == "bien_ban_hoi_dong"} == {
            f"bien-ban-hop-hoi-dong-{closed.id}.pdf", f"bien-ban-hop-hoi-dong-{closed.id}.docx"}
    assert len(convened.items) == 2 and convened.held_on > today()
    voted = {name: [has_voted(users[name], item.dossier) for item in convened.items]
             for name in ("hoidong1", "hoidong2", "hoidong3", "chutich")}
    assert voted == {"hoidong1": [True, True], "hoidong2": [True, True], "hoidong3": [False, False],
                     "chutich": [False, False]}


def test_demo_twice_adds_nothing(app):
    assert run(app, "demo").exit_code == 0
    before = table_counts()

    again = run(app, "demo")

    assert again.exit_code == 0, again.output
    assert "nothing added" in again.output
    assert table_counts() == before
