"""Two real clients racing on one database, for test_races.py: two processes, each with its own store (its
own connections), doing one step of a race per round at the same moment (a barrier), many rounds. Each
says what happened to its own steps: "ok" (acknowledged: committed) or why it was refused."""

from __future__ import annotations

import multiprocessing
import traceback
from datetime import date
from typing import Any

from shapely.geometry import Point

from bodymap.core.records import Conflict, InvalidValue, Store, Visit
from bodymap.core.records.commands import Stroke, UpdateMark

# Where each client draws (back view, body frame), well inside the body: four spots apart.
SPOTS = {
    "a": [(-0.05, 0.62), (-0.05, 0.70)],
    "b": [(0.05, 0.62), (0.05, 0.70)],
}
RADIUS = 0.012


def spot(role: str, n: int):
    return Point(*SPOTS[role][n]).buffer(RADIUS)


def _same_field(store: Store, role: str, ids: dict[str, Any], sync) -> list[str]:
    """Both write the visit's notes on the copy read before the round: one of the two must be refused."""
    seen = store.visit(ids["visit"])
    sync()
    store.update_visit(ids["visit"], notes=f"{role}{ids['round']}", seen=seen)
    return ["ok"]


def _other_fields(store: Store, role: str, ids: dict[str, Any], sync) -> list[str]:
    """One writes the notes, the other the pain after, each on the copy read before the round: both stay."""
    seen = store.visit(ids["visit"])
    sync()
    if role == "a":
        store.update_visit(ids["visit"], notes=f"a{ids['round']}", seen=seen)
    else:
        store.update_visit(ids["visit"], pain_after=ids["round"] % 11, seen=seen)
    return ["ok"]


def _undo(store: Store, role: str, ids: dict[str, Any], sync) -> list[str]:
    """A sets a tenderness, B sees it; then A undoes it while B sets another: one of the two is refused."""
    mark_id = ids["mark"]
    command = None
    if role == "a":
        command = UpdateMark(store.mark(mark_id), tenderness=7)
        command.do(store)
    sync()
    seen = store.mark(mark_id)
    sync()
    if command is not None:
        command.undo(store)
    else:
        store.update_mark(mark_id, tenderness=9, seen=seen)
    return ["ok"]


def _birth(store: Store, role: str, ids: dict[str, Any], sync) -> list[str]:
    """A moves the date of birth to 2000 while B adds a visit in 1990: never both."""
    seen = store.patient(ids["patient"])
    sync()
    if role == "a":
        store.update_patient(ids["patient"], date_of_birth=date(2000, 1, 1), seen=seen)
    else:
        store.add_visit(Visit(patient_id=ids["patient"], visited_on=date(1990, 6, 1)))
    return ["ok"]


def _first_visit(store: Store, role: str, ids: dict[str, Any], sync) -> list[str]:
    """Both add the patient's first visit, on the same day: one of them is the first, the other the
    second (it asks the after-effects)."""
    sync()
    store.add_visit(Visit(patient_id=ids["patient"], visited_on=date(2024, 3, 1)))
    return ["ok"]


def _strokes(store: Store, role: str, ids: dict[str, Any], sync) -> list[str]:
    """Both start the visit's pain drawing at once, each with a stroke of their own; then both draw
    again on it at once. Every acknowledged stroke must be on the drawing."""
    done = []
    for n in range(2):
        sync()
        try:
            Stroke(ids["visit"], "pain", "brush", "back", spot(role, n), intensity=5).do(store)
            done.append("ok")
        except (Conflict, InvalidValue) as exc:
            done.append(f"refused: {exc}")
    return done


RACES = {
    "same_field": _same_field,
    "other_fields": _other_fields,
    "undo": _undo,
    "birth": _birth,
    "first_visit": _first_visit,
    "strokes": _strokes,
}


def client(role, recorder, jobs, barrier, results) -> None:
    """One client, for a whole module of races: for each race it is given, its own store on that
    database, one step of the race per round, in step with the other client."""
    placer = None  # the body and atlas, loaded by the first store and kept for the next races
    for location, race, rounds in iter(jobs.get, None):
        outcomes = []
        try:
            with Store.open(location, recorder=recorder, placer=placer) as store:
                placer = store.placer
                for ids in rounds:
                    try:
                        outcomes.append(RACES[race](store, role, ids, barrier.wait))
                    except (Conflict, InvalidValue) as exc:  # after its last sync: the round goes on
                        outcomes.append([f"refused: {exc}"])
        except Exception:
            outcomes = [["crashed: " + traceback.format_exc()]]
            barrier.abort()
        results.put((role, outcomes))


class Clients:
    """Two client processes ("a": A. Adams, "b": B. Brown), started once for all the races of a module
    (starting a process and loading bodymap into it takes ~0.5 s)."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._barrier = ctx.Barrier(2, timeout=60)
        self._results = ctx.Queue()
        self._jobs = {role: ctx.Queue() for role in "ab"}
        self._procs = [
            ctx.Process(target=client, args=(role, name, self._jobs[role], self._barrier, self._results))
            for role, name in (("a", "A. Adams"), ("b", "B. Brown"))
        ]
        for p in self._procs:
            p.start()

    def race(self, location, race: str, rounds: list[dict[str, Any]]) -> dict[str, list[list[str]]]:
        """Run a race between the two clients; what happened to each one's steps, round by round."""
        self._barrier.reset()  # after a race that crashed (and broke it), the next starts afresh
        for jobs in self._jobs.values():
            jobs.put((str(location), race, rounds))
        found = dict(self._results.get(timeout=600) for _ in self._procs)
        for outcomes in found.values():
            assert not (outcomes and outcomes[0] and outcomes[0][0].startswith("crashed")), outcomes[0][0]
        return found

    def close(self) -> None:
        for jobs in self._jobs.values():
            jobs.put(None)
        for p in self._procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
