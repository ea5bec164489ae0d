"""Flask CLI commands: seed, users create, demo, history verify and rekey, honours-list, procedures."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale, gettext

from workflow.unit_of_work import commit
from web.backup import backup_cli
from web.storage import document_store, minutes_writing
from workflow.accounts import create_user
from workflow.demo import DEMO_PASSWORD, load_demo
from workflow.errors import NotFound, ValidationFailed, WorkflowError
from workflow.export_jobs import unit_by_code
from workflow.exports import FORMATS, export_filename, export_honours_list
from workflow.history import dossier_labels, rekey_history, verify_history
from workflow.campaigns import campaign_by_code
from workflow.honours import honours_list
from workflow.invitations import send_invitations
from workflow.models import db
from workflow.procedure import ProcedureError, catalogue, describe, load_file
from workflow.reference import seed_reference_data
from workflow.text import TextRefused, clean_line, has_forbidden_character

class Text(click.ParamType):
    """A command-line value under the one text policy (workflow.text)."""

    name = "text"

    def __init__(self, name: bool = False):
        self.is_name = name

    def convert(self, value, param, ctx):
        try:
            return clean_line(value, name=self.is_name)
        except TextRefused as refused:
            self.fail(refused.message.render(), param, ctx)


LINE = Text()
NAME = Text(name=True)

users_cli = AppGroup("users", help="Manage users.")
history_cli = AppGroup("history", help="Check and sign the dossier history.")
invitations_cli = AppGroup("invitations", help="Invitations to the award ceremony.")
procedures_cli = AppGroup("procedures", help="Check and show the procedure files.")


@click.command("seed")
def seed_command():
    """Load the reference data (units, departments, award types, the 2024 campaign); safe to repeat."""
    added = seed_reference_data()
    commit()
    click.echo("Seeded: " + ", ".join(f"{count} {kind}" for kind, count in added.items()))


@users_cli.command("create")
@click.argument("username", type=LINE)
@click.option("--role", required=True, type=LINE)
@click.option("--unit", "unit_code", required=True, type=LINE)
@click.option("--email", required=True, type=LINE)
@click.option("--name", "full_name", default="", type=NAME)
def create_user_command(username, role, unit_code, email, full_name):
    """Create a user; the password is read from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if has_forbidden_character(password):
        click.echo("password: it holds a NUL character or a lone surrogate.", err=True)
        raise SystemExit(1)
    try:
        user = create_user(username, password, role, unit_code, email, full_name)
    except ValidationFailed as error:
        db.session.rollback()
        for detail in error.details:
            click.echo(f"{detail['field']}: {detail['message'].render()}", err=True)
        raise SystemExit(1) from None
    commit()
    click.echo(f"Created {user.username} ({user.role}, {user.unit.code})")


@click.command("demo")
def demo_command():
    """Seed, then add demo users for every role and dossiers in every state; prints the logins."""
    writing = minutes_writing()
    with force_locale(writing.language):
        logins, counts = load_demo(document_store(), writing)
    commit()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, unit in logins:
        click.echo(f"  {username:<22} {role:<10} {unit}")
    if counts:
        click.echo("Demo dossiers by state: " + ", ".join(f"{s} {n}" for s, n in counts.items()))
    else:
        click.echo("Demo dossiers were already there; nothing added.")


@history_cli.command("verify")
def verify_command():
    """Check every dossier's history chain and its row; exits 1 and lists the problems if anything was tampered with."""
    problems = verify_history()
    _echo_problems(problems)
    if problems:
        raise SystemExit(1)
    click.echo("History intact.")


@history_cli.command("rekey")
@click.option("--legacy", is_flag=True,
              help="Also sign the rows written before the chain was keyed (plain SHA-256); once, after the upgrade.")
def rekey_command(legacy):
    """Sign every history row again with HISTORY_KEY, after checking the whole history with the keys that signed it
    (HISTORY_KEYS_OLD); signs nothing and exits 1 if any check fails."""
    signed, problems = rekey_history(legacy=legacy)
    if problems:
        db.session.rollback()
        _echo_problems(problems)
        click.echo("Nothing was signed: the history above does not verify.", err=True)
        raise SystemExit(1)
    commit()
    click.echo(f"Signed {signed} history rows with the current key; every chain now verifies with it alone.")


def _echo_problems(problems) -> None:
    labels = dossier_labels({problem.dossier_id for problem in problems})
    for problem in problems:
        where = f"dossier {problem.dossier_id}" + (f" row {problem.seq}" if problem.seq else "")
        about = labels.get(problem.dossier_id, "")
        if problem.row_id is not None:
            about += f", history id {problem.row_id}"
        click.echo(f"{problem.kind.upper()}: {where}: {problem.detail} ({about})")


@invitations_cli.command("send")
@click.argument("campaign_code", type=LINE)
def send_invitations_command(campaign_code):
    """Send an invitation letter (PDF) for every conferred dossier of the campaign to its unit; safe to repeat."""
    try:
        campaign = campaign_by_code(campaign_code)
    except NotFound:
        click.echo(f"No campaign with the code {campaign_code}.", err=True)
        raise SystemExit(1) from None
    rows = send_invitations(campaign)
    commit()
    click.echo(f"Invitations queued: {len(rows)} new (one per awardee and submitter of its unit).")


@click.command("honours-list")
@click.argument("campaign", type=LINE)
@click.option("--format", "file_format", type=click.Choice(["json", *FORMATS]), default="xlsx", show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=True, writable=True),
              help="The file to write; a folder with --per-unit.")
@click.option("--provisional", is_flag=True, help="The approved dossiers, before decisions (marked as a draft).")
@click.option("--unit", "unit_code", type=LINE, help="Only this nominating unit's awardees (its pack).")
@click.option("--per-unit", is_flag=True, help="One pack per nominating unit, written into the --output folder.")
def honours_list_command(campaign, file_format, output, provisional, unit_code, per_unit):
    """Export the honours list of CAMPAIGN (the final snapshot once it is finalised)."""
    config = current_app.config
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        try:
            document = honours_list(campaign_by_code(campaign), provisional, config["HONOURS_LIST_PLACE"])
            packs = [(unit_code, document)]
            if unit_code:
                unit = unit_by_code(unit_code)
                packs = [(unit.code, document.for_unit(unit.code, unit.name))]
            elif per_unit:
                units = {item["unit"]: item["unit_name"] for group in document.data["groups"]
                         for item in group["items"]}
                packs = [(code, document.for_unit(code, name)) for code, name in units.items()]
        except WorkflowError as error:
            click.echo(error.message.render(gettext), err=True)
            raise SystemExit(1) from None
        for code, pack in packs:
            target = Path(output)
            if per_unit:
                target.mkdir(parents=True, exist_ok=True)
                target = target / export_filename(pack, file_format if file_format != "json" else "xlsx", code)
                if file_format == "json":
                    target = target.with_suffix(".json")
            if file_format == "json":
                target.write_text(json.dumps(pack.api_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            else:
                target.write_bytes(export_honours_list(pack, file_format, gettext,
                                                       language=config["BABEL_DEFAULT_LOCALE"]))
            click.echo(f"{target}: {pack.row_count} rows")


@procedures_cli.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check_procedures_command(files):
    """Check procedure files before deploying them: every fault with its file and line."""
    failed = False
    for name in files:
        try:
            procedure = load_file(Path(name))
        except ProcedureError as error:
            failed = True
            for file, line, text in error.faults:
                click.echo(f"{file}:{line}: {text}", err=True)
            continue
        click.echo(f"{name}: {procedure.code} v{procedure.version} is valid "
                   f"({len(procedure.states)} states, {len(procedure.steps)} steps)")
    if failed:
        raise SystemExit(1)


@procedures_cli.command("list")
def list_procedures_command():
    """The procedures loaded, each version with its file; the one new dossiers take is marked."""
    loaded = catalogue()
    for procedure in loaded:
        mark = " (new dossiers)" if loaded.current(procedure.code) is procedure else ""
        click.echo(f"{procedure.code} v{procedure.version}{mark}: {procedure.title['en']} - {procedure.source}")


@procedures_cli.command("show")
@click.argument("code", type=LINE)
@click.option("--version", "version", type=int, help="A version other than the one new dossiers take.")
def show_procedure_command(code, version):
    """A loaded procedure's states and steps."""
    loaded = catalogue()
    try:
        procedure = loaded.get(code, version) if version else loaded.current(code)
    except KeyError:
        click.echo(f"No procedure {code}" + (f" version {version}" if version else "") + " is loaded.", err=True)
        raise SystemExit(1) from None
    click.echo(describe(procedure))


def register_cli(app: Flask) -> None:
    for command in (seed_command, users_cli, demo_command, history_cli, invitations_cli, honours_list_command,
                    procedures_cli, backup_cli):
        app.cli.add_command(command)
