"""Flask CLI commands: seed, users create, demo, history verify."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from tasks.dispatch import commit
from web.storage import document_store
from workflow.accounts import create_user
from workflow.demo import DEMO_PASSWORD, load_demo
from workflow.errors import NotFound, ValidationFailed
from workflow.history import verify_history
from workflow.invitations import get_campaign, send_invitations
from workflow.models import db
from workflow.reference import seed_reference_data

users_cli = AppGroup("users", help="Manage users.")
history_cli = AppGroup("history", help="Check the dossier history.")
invitations_cli = AppGroup("invitations", help="Invitations to the award ceremony.")


@click.command("seed")
def seed_command():
    """Load the reference data (units, departments, award types, the 2024 campaign); safe to repeat."""
    added = seed_reference_data()
    commit()
    click.echo("Seeded: " + ", ".join(f"{count} {kind}" for kind, count in added.items()))


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True)
@click.option("--unit", "unit_code", required=True)
@click.option("--email", required=True)
@click.option("--name", "full_name", default="")
def create_user_command(username, role, unit_code, email, full_name):
    """Create a user; the password is read from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
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
    logins, counts = load_demo(document_store())
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
    """Check every dossier's history chain; exits 1 and lists the problems if any row was tampered with."""
    problems = verify_history()
    for problem in problems:
        where = f"dossier {problem.dossier_id}" + (f" row {problem.seq}" if problem.seq else "")
        click.echo(f"{problem.kind.upper()}: {where}: {problem.detail}")
    if problems:
        raise SystemExit(1)
    click.echo("History intact.")


@invitations_cli.command("send")
@click.argument("campaign_code")
def send_invitations_command(campaign_code):
    """Send an invitation letter (PDF) for every conferred dossier of the campaign to its unit; safe to repeat."""
    try:
        campaign = get_campaign(campaign_code)
    except NotFound:
        click.echo(f"No campaign with the code {campaign_code}.", err=True)
        raise SystemExit(1) from None
    rows = send_invitations(campaign)
    commit()
    click.echo(f"Invitations queued: {len(rows)} new (one per awardee and submitter of its unit).")


def register_cli(app: Flask) -> None:
    for command in (seed_command, users_cli, demo_command, history_cli, invitations_cli):
        app.cli.add_command(command)
