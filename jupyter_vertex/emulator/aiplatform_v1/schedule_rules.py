"""Vertex's Schedule semantics, clock-free: every function takes ``now`` (so a test drives
them with any clock). The ScheduleService module stores and answers; the scheduler wakes on
time and starts the runs these rules say are due.

What Vertex documents and this follows (docs/emulator.md, "Pipeline schedules", names the
sources):

- ``cron``: five fields, optionally prefixed ``TZ=ZONE `` or ``CRON_TZ=ZONE `` (IANA); UTC
  otherwise. The first run is the first tick at or after ``startTime`` (default: the create
  time); no run is scheduled for a tick after ``endTime``.
- COMPLETED once ``startedRunCount >= maxRunCount`` or once the next tick is past
  ``endTime``; a completed schedule cannot be paused or resumed.
- PAUSED creates no runs. ResumeSchedule schedules from the next tick after the resume time;
  with ``catchUp`` the ticks missed meanwhile are run first (backfill), then on schedule.
- ``maxConcurrentRunCount`` limits the run *requests* being started at once, not the runs
  (a local start is one transaction, so it never waits); ``maxConcurrentActiveRunCount``
  limits the runs not yet ended: a tick at that limit is skipped, or with ``allowQueueing``
  waits (``nextRunTime`` then lies in the past: "runs are being started behind schedule").
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from ..core.errors import failed_precondition, invalid_argument
from ..core.resources import parse_timestamp, timestamp

KIND = "schedule"
ACTIVE = "ACTIVE"
PAUSED = "PAUSED"
COMPLETED = "COMPLETED"
# a PipelineJob's end states (records.TERMINAL), named here so the rules stay engine-free
RUN_ENDED = frozenset(
    {"PIPELINE_STATE_SUCCEEDED", "PIPELINE_STATE_FAILED", "PIPELINE_STATE_CANCELLED"}
)
WHERE = "schedule"


def parse_cron(text: str, field: str = f"{WHERE}.cron") -> tuple[str, ZoneInfo | timezone]:
    """(the five-field expression, its time zone), or INVALID_ARGUMENT saying why."""
    expression, zone = str(text or "").strip(), "UTC"
    if not expression:
        raise invalid_argument(f"{field} is required: a cron expression such as '0 9 * * 1'.")
    head, _, rest = expression.partition(" ")
    if head.startswith(("TZ=", "CRON_TZ=")):
        zone, expression = head.split("=", 1)[1], rest.strip()
    try:
        tz: ZoneInfo | timezone = timezone.utc if zone == "UTC" else ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid_argument(
            f"Invalid {field}: {zone!r} is not a time zone of the IANA database."
        ) from None
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise invalid_argument(
            f"Invalid {field}: {expression!r} is not a cron expression of five fields "
            "(minute hour day-of-month month day-of-week)."
        )
    return expression, tz


def next_tick(cron: str, after: datetime, *, inclusive: bool = False) -> datetime:
    """The first tick of ``cron`` after ``after`` (or at it, when ``inclusive``), in UTC."""
    expression, tz = parse_cron(cron)
    if inclusive:  # croniter answers strictly later ticks
        after -= timedelta(microseconds=1)
    found: datetime = croniter(expression, after.astimezone(tz)).get_next(datetime)
    return found.astimezone(timezone.utc)


def moment(text: str) -> datetime:
    seconds, nanos = parse_timestamp(text)
    return datetime.fromtimestamp(seconds + nanos / 1e9, timezone.utc)


def _count(schedule: dict[str, Any], key: str) -> int:
    return int(schedule.get(key) or 0)


def check_limits(body: dict[str, Any]) -> None:
    """The numbers and times of a Schedule as created or patched."""
    for key, name in (
        ("maxRunCount", "max_run_count"),
        ("maxConcurrentActiveRunCount", "max_concurrent_active_run_count"),
    ):
        if _count(body, key) < 0:
            raise invalid_argument(
                f"Invalid {WHERE}.{name}: {body[key]} is negative; it must be positive (or unset)."
            )
    if _count(body, "maxConcurrentRunCount") <= 0:
        raise invalid_argument(
            f"{WHERE}.max_concurrent_run_count is required and must be positive; "
            f"got {body.get('maxConcurrentRunCount', 0)}."
        )
    start, end = body.get("startTime"), body.get("endTime")
    if start and end and moment(end) <= moment(start):
        raise invalid_argument(f"Invalid {WHERE}.end_time: {end} is not after start_time {start}.")


def first_run(schedule: dict[str, Any], now: datetime) -> None:
    """Set ``nextRunTime`` of a new (or re-timed) schedule, completing it if none is left."""
    start = moment(schedule["startTime"]) if schedule.get("startTime") else now
    _set_next(schedule, next_tick(schedule["cron"], max(start, now), inclusive=True))


def _set_next(schedule: dict[str, Any], tick: datetime) -> None:
    end = schedule.get("endTime")
    limit = _count(schedule, "maxRunCount")
    if (end and tick > moment(end)) or (limit and _count(schedule, "startedRunCount") >= limit):
        schedule["state"] = COMPLETED
        schedule.pop("nextRunTime", None)
    else:
        schedule["nextRunTime"] = timestamp(tick)


def reconsider(schedule: dict[str, Any]) -> None:
    """After its limits were patched: COMPLETED when no run is left to start."""
    if schedule.get("state") == ACTIVE and schedule.get("nextRunTime"):
        _set_next(schedule, moment(schedule["nextRunTime"]))


def due(schedule: dict[str, Any], now: datetime, active_runs: int) -> list[str]:
    """The scheduled times (RFC 3339) to start a run for now; advances the schedule past
    them (and past skipped ticks), counting the runs and completing it when none is left."""
    started: list[str] = []
    while schedule.get("state") == ACTIVE and schedule.get("nextRunTime"):
        tick = moment(schedule["nextRunTime"])
        if tick > now:
            break
        limit = _count(schedule, "maxConcurrentActiveRunCount")
        if limit and active_runs + len(started) >= limit:
            if schedule.get("allowQueueing"):
                break  # queued: this tick starts once a run ends
        else:
            started.append(timestamp(tick))
            schedule["startedRunCount"] = str(_count(schedule, "startedRunCount") + 1)
        _set_next(schedule, next_tick(schedule["cron"], tick))
    return started


def pause(schedule: dict[str, Any], now: datetime) -> None:
    if schedule.get("state") != ACTIVE:
        raise failed_precondition(
            f"Schedule {schedule['name']} is {schedule.get('state')}; only an ACTIVE schedule "
            "can be paused."
        )
    schedule["state"] = PAUSED
    schedule["lastPauseTime"] = timestamp(now)


def resume(schedule: dict[str, Any], now: datetime, catch_up: bool) -> None:
    """ACTIVE again: from the next tick after ``now``, or with ``catch_up`` from the first
    tick missed while paused (the backfill runs first)."""
    if schedule.get("state") != PAUSED:
        raise failed_precondition(
            f"Schedule {schedule['name']} is {schedule.get('state')}; only a PAUSED schedule "
            "can be resumed."
        )
    schedule["state"] = ACTIVE
    schedule["lastResumeTime"] = timestamp(now)
    schedule["catchUp"] = catch_up
    catch_up_from(schedule, now)


def catch_up_from(schedule: dict[str, Any], now: datetime) -> None:
    """Ticks missed (while paused, or while the embedded Vertex was not running) are run
    when the schedule's ``catchUp`` says so, otherwise skipped to the next tick after now."""
    pending = schedule.get("nextRunTime")
    if schedule.get("state") != ACTIVE or not pending or moment(pending) > now:
        return
    if not schedule.get("catchUp"):
        _set_next(schedule, next_tick(schedule["cron"], now))


def active(runs: list[dict[str, Any]], name: str) -> int:
    """How many of ``runs`` this schedule created and have not ended."""
    return sum(
        1 for run in runs if run.get("scheduleName") == name and run.get("state") not in RUN_ENDED
    )
