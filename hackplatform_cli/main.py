"""`hackplatform`: the command-line client of the REST API v1 (httpx + Click + Rich).

It talks only to the public API, with a token kept in the user's config folder
(`HACKPLATFORM_CONFIG_DIR`, else Click's app dir). Every command takes `--json` (the API's answer as
JSON on stdout). Exit codes a script can rely on:

    0 done · 1 the server refused (the reason is printed) · 2 bad usage · 3 not logged in or the token
    was refused · 4 the server could not be reached · 5 the submission was scored as failed ·
    6 the downloaded dataset did not match its published SHA-256 (the file is deleted)
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from pathlib import Path

import click
import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

EXIT_REFUSED, EXIT_USAGE, EXIT_AUTH, EXIT_NETWORK, EXIT_FAILED, EXIT_CHECKSUM = 1, 2, 3, 4, 5, 6
DEFAULT_URL = "http://127.0.0.1:8000"
RETRIES = 4

err = Console(stderr=True)


class Stop(click.ClickException):
    """A refusal or failure: its message on stderr and its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file=None) -> None:
        err.print(f"[red]{self.message}[/red]")


def _config_path() -> Path:
    folder = os.environ.get("HACKPLATFORM_CONFIG_DIR") or click.get_app_dir("hackplatform")
    return Path(folder) / "config.json"


def _load_config() -> dict:
    path = _config_path()
    return json.loads(path.read_text()) if path.exists() else {}


def _save_config(data: dict) -> None:
    path = _config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)


class Api:
    def __init__(self, url: str, token: str | None) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        self.client = httpx.Client(base_url=url.rstrip("/") + "/api/v1", headers=headers, timeout=60)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Stop(f"Cannot reach the server: {exc}", EXIT_NETWORK) from exc
        if response.status_code == 401:
            raise Stop(_reason(response) + " (run `hackplatform login`)", EXIT_AUTH)
        if response.status_code >= 400:
            raise Stop(_reason(response), EXIT_REFUSED)
        return response

    def json(self, method: str, path: str, **kwargs):
        return self.request(method, path, **kwargs).json()


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
        return f"{response.status_code}: {body.get('detail') or body}"
    except ValueError:
        return f"{response.status_code}: {response.text[:200]}"


def _out(ctx: click.Context, data, table: Table | None = None) -> None:
    if ctx.obj["json"] or table is None:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        Console().print(table)


@click.group()
@click.option("--url", envvar="HACKPLATFORM_URL", help="The site's address (default: the one you logged in to).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer as JSON.")
@click.pass_context
def app(ctx: click.Context, url: str | None, as_json: bool) -> None:
    """The hackplatform command-line client."""
    config = _load_config()
    ctx.obj = {"json": as_json, "url": url or config.get("url") or DEFAULT_URL, "config": config}
    token = config.get("token") if (config.get("url") == ctx.obj["url"]) else None
    ctx.obj["api"] = Api(ctx.obj["url"], token)


@app.command()
@click.option("--username", prompt=True)
@click.option("--password", prompt=True, hide_input=True)
@click.pass_context
def login(ctx: click.Context, username: str, password: str) -> None:
    """Get an API token and keep it in your config folder."""
    api = Api(ctx.obj["url"], None)
    answer = api.json("POST", "/auth/token/", json={"username": username, "password": password})
    _save_config({"url": ctx.obj["url"], "token": answer["token"], "username": username})
    _out(ctx, {"username": username, "expiry": answer.get("expiry")}) if ctx.obj["json"] else err.print(
        f"Logged in as {username}."
    )


@app.command()
@click.pass_context
def me(ctx: click.Context) -> None:
    """Who you are, and your events with your role and team."""
    data = ctx.obj["api"].json("GET", "/me/")
    table = Table("event", "role", "team", title=f"{data['username']} ({data['country']})")
    for event in data["events"]:
        table.add_row(event["slug"], event["role"], (event["team"] or {}).get("name", ""))
    _out(ctx, data, table)


@app.command()
@click.pass_context
def events(ctx: click.Context) -> None:
    """The events you may see."""
    data = ctx.obj["api"].json("GET", "/events/")
    table = Table("slug", "name", "your role")
    for event in data["results"]:
        table.add_row(event["slug"], event["name"], event.get("my_role") or "")
    _out(ctx, data, table)


@app.command()
@click.option("--event", help="Only this event's challenges (its slug).")
@click.pass_context
def challenges(ctx: click.Context, event: str | None) -> None:
    """Challenges and their phases (ids for `download`, `submit`, `leaderboard`)."""
    data = ctx.obj["api"].json("GET", "/challenges/", params={"event": event} if event else None)
    table = Table("id", "event", "title", "phases (id: name)")
    for challenge in data["results"]:
        phases = ", ".join(f"{p['id']}: {p['name']}{' (open)' if p['is_open'] else ''}" for p in challenge["phases"])
        table.add_row(str(challenge["id"]), challenge["event"], challenge["title"], phases)
    _out(ctx, data, table)


@app.command()
@click.argument("phase", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to save the zip.")
@click.pass_context
def download(ctx: click.Context, phase: int, output: Path | None) -> None:
    """Download the phase's dataset (a zip) with a progress bar, resuming a partial download (`<file>.part`)
    with a Range request, and check it against the SHA-256 the phase publishes: on a mismatch the file
    is deleted and the exit code is 6."""
    api: Api = ctx.obj["api"]
    detail = api.json("GET", f"/phases/{phase}/")
    dataset = detail.get("dataset")
    if not dataset:
        raise Stop(f"Phase {phase} has no dataset yet.", EXIT_REFUSED)
    if output is None:
        challenge = api.json("GET", f"/challenges/{detail['challenge']}/")
        output = Path(f"{challenge['event']}-{challenge['slug']}-data.zip")
    part = output.with_name(output.name + ".part")
    if not (output.exists() and _sha256(output) == dataset["sha256"]):
        _fetch(ctx, dataset, part, output.name)
        actual = _sha256(part)
        if actual != dataset["sha256"]:
            part.unlink()
            raise Stop(
                f"The downloaded file does not match the dataset's SHA-256 (expected {dataset['sha256']}, "
                f"got {actual}): it was deleted. Run the download again.",
                EXIT_CHECKSUM,
            )
        part.replace(output)
    data = {"file": str(output), "sha256": dataset["sha256"], "size": output.stat().st_size, "verified": True}
    _out(ctx, data) if ctx.obj["json"] else err.print(
        f"Saved {output} ({data['size']} bytes, sha256 {data['sha256']}, checked)."
    )


def _fetch(ctx: click.Context, dataset: dict, part: Path, label: str) -> None:
    """Bring `part` up to the dataset's size: a Range request from where a partial file stops (If-Range:
    the server sends the whole zip instead when it changed since), else the whole file."""
    api: Api = ctx.obj["api"]
    size = int(dataset["size"])
    have = part.stat().st_size if part.exists() else 0
    if have > size:
        part.unlink()
        have = 0
    if have == size:
        return  # complete already; the checksum decides
    headers = {"Range": f"bytes={have}-", "If-Range": f'"{dataset["sha256"]}"'} if have else {}
    path = dataset["url"].removeprefix("/api/v1")
    try:
        with api.client.stream("GET", path, headers=headers) as response:
            if response.status_code >= 400:
                response.read()
                raise Stop(_reason(response), EXIT_AUTH if response.status_code == 401 else EXIT_REFUSED)
            resumed = response.status_code == 206
            with (
                part.open("ab" if resumed else "wb") as target,
                Progress(console=err, disable=ctx.obj["json"]) as progress,
            ):
                task = progress.add_task(
                    f"{'Resuming' if resumed else 'Downloading'} {label}", total=size, completed=have if resumed else 0
                )
                for chunk in response.iter_bytes():
                    target.write(chunk)
                    progress.update(task, advance=len(chunk))
    except httpx.TransportError as exc:
        raise Stop(f"Cannot reach the server: {exc} (run the download again to resume it)", EXIT_NETWORK) from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@app.command()
@click.argument("phase", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--description", default="")
@click.option("--wait/--no-wait", default=True, help="Follow the status until scored or failed (default: wait).")
@click.option("--timeout", default=600, show_default=True, help="Seconds to wait for the score.")
@click.pass_context
def submit(ctx: click.Context, phase: int, file: Path, description: str, wait: bool, timeout: int) -> None:
    """Upload FILE to a phase. Retried on network errors and 5xx/429 with the same Idempotency-Key (never
    twice), then followed until scored."""
    api: Api = ctx.obj["api"]
    key = uuid.uuid4().hex
    for attempt in range(RETRIES + 1):
        try:
            with file.open("rb") as handle:
                response = api.client.post(
                    f"/phases/{phase}/submissions/",
                    files={"file": (file.name, handle, "text/csv")},
                    data={"description": description},
                    headers={"Idempotency-Key": key},
                )
        except httpx.TransportError as exc:
            if attempt == RETRIES:
                raise Stop(f"Cannot reach the server: {exc}", EXIT_NETWORK) from exc
            time.sleep(min(2**attempt, 30))
            continue
        delay = _retry_after(response)
        retriable = response.status_code >= 500 or (response.status_code == 429 and delay is not None)
        if retriable and attempt < RETRIES and (delay or 0) <= 60:
            time.sleep(delay or min(2**attempt, 30))
            continue
        break
    if response.status_code >= 400:
        raise Stop(_reason(response), EXIT_AUTH if response.status_code == 401 else EXIT_REFUSED)
    created = response.json()
    if not wait:
        _out(ctx, created) if ctx.obj["json"] else err.print(f"Submission {created['id']}: {created['status']}.")
        return
    _follow(ctx, created["id"], timeout)


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


def _follow(ctx: click.Context, submission: int, timeout: int) -> None:
    api: Api = ctx.obj["api"]
    deadline = time.monotonic() + timeout
    with err.status(f"Submission {submission}: waiting for its score…") as status:
        while True:
            data = api.json("GET", f"/submissions/{submission}/")
            status.update(f"Submission {submission}: {data['status']}")
            if data["status"] in ("scored", "failed", "cancelled") or time.monotonic() > deadline:
                break
            time.sleep(1)
    _show_submission(ctx, data)
    if data["status"] == "failed":
        raise Stop(f"Submission {submission} failed: {data.get('error')}", EXIT_FAILED)


def _show_submission(ctx: click.Context, data: dict) -> None:
    table = Table("id", "status", "submitted", "public score", "error")
    score = data.get("public_score")
    table.add_row(str(data["id"]), data["status"], data["submitted_at"], "" if score is None else f"{score:.5f}",
                  data.get("error") or "")  # fmt: skip
    _out(ctx, data, table)


@app.command()
@click.argument("submission", type=int)
@click.pass_context
def status(ctx: click.Context, submission: int) -> None:
    """A submission's status and scores."""
    _show_submission(ctx, ctx.obj["api"].json("GET", f"/submissions/{submission}/"))


@app.command()
@click.argument("phase", type=int)
@click.option("--split", type=click.Choice(["public", "private"]), default="public", show_default=True)
@click.pass_context
def leaderboard(ctx: click.Context, phase: int, split: str) -> None:
    """A phase's leaderboard."""
    data = ctx.obj["api"].json("GET", f"/phases/{phase}/leaderboard/", params={"split": split})
    table = Table("rank", "team", "country", "score", title=f"Phase {phase} ({split})")
    for row in data["results"]:
        table.add_row(str(row["rank"]), row["team"]["name"], row["team"]["country"] or "", str(row["score"]))
    _out(ctx, data, table)


def _filename(response: httpx.Response) -> str | None:
    """The file name the server gives in Content-Disposition (its last part only: never a path)."""
    disposition = response.headers.get("Content-Disposition", "")
    if 'filename="' in disposition:
        return Path(disposition.split('filename="', 1)[1].split('"', 1)[0]).name
    return None


@app.command(name="export")
@click.argument("event")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to save the bundle.")
@click.option(
    "--full",
    is_flag=True,
    help="A full archive: with the dataset secrets and uploaded truth files (recorded in the event's audit log).",
)
@click.pass_context
def export_event(ctx: click.Context, event: str, output: Path | None, full: bool) -> None:
    """Export EVENT (its slug) as a bundle: YAML, or a zip when it has files. Organizers only."""
    api: Api = ctx.obj["api"]
    response = api.request("GET", f"/events/{event}/bundle/", params={"full": "1"} if full else None)
    name = output or Path(_filename(response) or f"{event}.yaml")
    name.write_bytes(response.content)
    data = {
        "event": event,
        "file": str(name),
        "size": len(response.content),
        "full": full,
        "sha256": hashlib.sha256(response.content).hexdigest(),
    }
    if ctx.obj["json"]:
        _out(ctx, data)
    else:
        err.print(f"Saved {name} ({data['size']} bytes{', full archive: keep it safe' if full else ''}).")


@app.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="The new event's slug (must not be taken).")
@click.option("--name", help="The new event's name (default: the bundle's).")
@click.option("--shift-days", type=int, help="Move every date by this many days (e.g. 365).")
@click.option("--shift", help="Instead of --shift-days: an ISO 8601 duration (P52W) or the first date (2027-03-01).")
@click.pass_context
def import_event(
    ctx: click.Context, file: Path, slug: str, name: str | None, shift_days: int | None, shift: str | None
) -> None:
    """Create a new event from the bundle FILE; you become its organizer."""
    if shift_days is not None and shift:
        raise Stop("Give --shift-days or --shift, not both.", EXIT_USAGE)
    fields = {"slug": slug}
    if name:
        fields["name"] = name
    if shift_days is not None:
        fields["shift_days"] = str(shift_days)
    if shift:
        fields["shift"] = shift
    with file.open("rb") as handle:
        response = ctx.obj["api"].request("POST", "/events/import/", files={"file": (file.name, handle)}, data=fields)
    created = response.json()
    if ctx.obj["json"]:
        _out(ctx, {**created, "location": response.headers.get("Location")})
    else:
        err.print(f"Created event {created['slug']} ({created['name']}): {response.headers.get('Location')}")


if __name__ == "__main__":  # pragma: no cover
    app()
