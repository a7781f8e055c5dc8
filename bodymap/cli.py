"""The command line: `bodymap` launches the app; the verbs print JSON or write files, headless.

A thin layer over bodymap.core; bad arguments give one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bodymap.cli_records import DB_HELP, RecordsUsage, patient_id, say
from bodymap.cli_records import add_parsers as add_records_parsers
from bodymap.cli_records import existing as existing_records
from bodymap.core.chart.frame import VIEWS
from bodymap.core.quoting import quote


class UsageError(Exception):
    """A bad argument or input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, never a usage dump, and short whatever was typed
        raise UsageError(message if len(message) <= 200 else message[:200] + "…")


def _print_json(obj) -> None:
    say(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def cmd_geometry(args) -> int:
    from bodymap.core.chart.body import load_body
    from bodymap.core.chart.geojson import body_geojson

    views = [args.view] if args.view else list(VIEWS)
    _print_json(body_geojson(load_body(), views))
    return 0


def find_muscles(names: list[str]):
    """Muscles named by name, synonym, id or group; a one-line error for a name the atlas lacks."""
    from bodymap.core.atlas import load_atlas

    atlas = load_atlas()
    found = []
    for name in names:
        ms = atlas.find(name)
        if not ms:
            close = [m.name for m in atlas.suggest(name)]
            hint = f"; did you mean: {', '.join(close)}?" if close else ""
            raise UsageError(f"no muscle called {name!r} in the atlas{hint}")
        found += [m for m in ms if m not in found]
    return atlas, found


def cmd_atlas(args) -> int:
    from bodymap.core.atlas.geojson import atlas_geojson

    if args.muscle:
        atlas, muscles = find_muscles(args.muscle)
        _print_json(atlas_geojson(atlas, muscles))
    else:
        from bodymap.core.atlas import load_atlas

        _print_json(atlas_geojson(load_atlas()))
    return 0


def cmd_lookup(args) -> int:
    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.core.jsonread import BadJSON, read_json
    from bodymap.core.lookup import Lookup, LookupInputError, pain_from_geojson

    given = [bool(args.landmark), bool(args.point), bool(args.area)]
    if sum(given) != 1 and not (args.condition and sum(given) == 0):
        raise UsageError("give one of --landmark NAME --side S, --view V --point X,Y, or --area FILE.geojson")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    lookup = Lookup(load_atlas(), load_body())
    out: dict[str, object] = {}
    try:
        condition = lookup.condition(args.condition).id if args.condition else None
        if condition and sum(given) == 0:
            _print_json({"condition": condition, "candidates": lookup.for_condition(condition)[: args.limit]})
            return 0
        if condition:
            out["condition"] = condition
        point = True
        if args.landmark:
            if not args.side:
                raise UsageError("--landmark needs --side right|left|midline")
            pain = lookup.landmark_pain(args.landmark, args.side)
            out["landmark"] = {"id": lookup.landmark_id(args.landmark), "side": args.side}
            note = lookup.landmark_note(args.landmark, args.side)
            if note:
                out["note"] = note
        elif args.point:
            if not args.view:
                raise UsageError(f"--point needs --view {'|'.join(VIEWS)}")
            try:
                x, y = (float(v) for v in args.point.split(","))
            except ValueError:
                raise UsageError(f"--point must be X,Y in the body frame, got {quote(args.point)}") from None
            pain = lookup.point_pain(args.view, x, y)
        else:
            point = False
            try:
                obj = read_json(args.area)
            except BadJSON as exc:
                raise UsageError(f"cannot read {args.area}: {exc}") from None
            pain = lookup.clip(pain_from_geojson(obj))
        result = lookup.rank(pain, limit=args.limit, condition=condition, point=point)
    except LookupInputError as exc:
        raise UsageError(str(exc)) from None
    out["candidates"] = [c.as_dict() for c in result.candidates]
    if not point:
        _rest, share = lookup.unexplained_share(result)
        out["pain_area"] = round(result.pain_area, 6)
        out["unexplained_share"] = round(share, 4)
        out["combined"] = [c.as_dict() for c in lookup.combined(pain, condition=condition)]
    _print_json(out)
    return 0


def cmd_render(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise UsageError(f"--out must end in .png, .svg or .pdf, not {out.name!r}")
    if not out.parent.exists():
        raise UsageError(f"the folder {str(out.parent)!r} does not exist")
    if args.width < 100 or args.width > 20000:
        raise UsageError("--width must be between 100 and 20000 pixels")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart.scene import ChartScene
    from bodymap.ui.render import render_scene

    muscles = find_muscles(args.muscle)[1] if args.muscle else []
    app = QApplication.instance() or QApplication(["bodymap"])  # noqa: F841 - fonts need it
    from bodymap.ui.chart.paint import paint_from_body

    body = load_body()
    scene = ChartScene(paint_from_body(body), body=body)
    if args.view:
        views = tuple(v for v in VIEWS if v in args.view)
    elif muscles:  # a teaching sheet shows the views where its muscles appear
        views = tuple(v for v in VIEWS if any(v in m.views for m in muscles))
    else:
        views = VIEWS
    scene.set_views(views)
    scene.set_layer_visible("regions", not args.no_regions)
    scene.set_layer_visible("landmarks", args.landmarks)
    source = scene.views_rect()
    if muscles or args.hazards:
        from bodymap.core.atlas import load_atlas
        from bodymap.ui.chart.overlay import AtlasOverlay

        overlay = AtlasOverlay(scene)
        overlay.sides = {"both": ("right", "left"), "right": ("right",), "left": ("left",)}[args.side]
        overlay.hazards, overlay.show_hazards = list(load_atlas().hazards.values()), args.hazards
        overlay.set_muscles(muscles)
        source = overlay.picture_rect()
    render_scene(scene, source, out, args.width)
    say(str(out))
    return 0


def cmd_handout(args) -> int:
    """The patient's aftercare sheet for a visit, with the clinic's contact line from the settings."""
    from bodymap.core.records import Store

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"--out must end in .pdf, not {out.name!r}")
    if not out.parent.is_dir():
        raise UsageError(f"the folder {str(out.parent)!r} does not exist")
    if args.visit < 1:
        raise UsageError("--visit counts from 1 (the patient's first visit)")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from bodymap.ui.records.handout import write_handout
    from bodymap.ui.settings import load

    app = QApplication.instance() or QApplication(["bodymap"])  # noqa: F841 - fonts need it
    QCoreApplication.setOrganizationName("bodymap")  # the window's settings (ui/app.py)
    QCoreApplication.setApplicationName("bodymap")
    settings = load()
    contact = settings.contact if args.contact is None else args.contact
    with Store.open(existing_records(args), read_only=True) as store:
        patient = patient_id(store, args.patient)
        write_handout(store, patient, args.visit, out, clinic=settings.clinic, contact=contact)
    say(str(out))
    return 0


# --- study (issue 13): cards, scoring an answer, the Anki deck and printed flashcards -----------------


def _study_deck():
    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.core.lookup import Lookup
    from bodymap.core.study import Deck

    atlas = load_atlas()
    return Deck.build(atlas, Lookup(atlas, load_body()))


def _read_json(path: str):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


def cmd_study_cards(args) -> int:
    from bodymap.core.chart.geojson import collection, feature

    deck = _study_deck()
    muscles = {m.id for m in find_muscles(args.muscle)[1]} if args.muscle else None
    out = []
    for card in deck.select(args.kind, muscles):
        d = card.as_dict()
        if card.kind in ("reverse", "name"):
            choices = deck.choices(card)
            d["options"] = [{"id": m, "name": deck.name(m)} for m in choices.options]
        if args.geometry and card.kind in ("reverse", "name") and card.muscle:
            essential, spillover = deck.shown(card)
            feats = [feature(g, kind="essential", view=v) for v, g in essential.items()]
            feats += [feature(g, kind="spillover", view=v) for v, g in spillover.items()]
            d["shown"] = collection(feats)
        out.append(d)
    _print_json({"count": len(out), "cards": out})
    return 0


def cmd_study_score(args) -> int:
    from bodymap.core.study import AnswerError, UnknownCard

    deck = _study_deck()
    try:
        card = deck.card(args.card)
    except UnknownCard as exc:
        raise UsageError(str(exc)) from None
    from bodymap.core.study import Grader

    grader = Grader(deck)
    try:
        answer = grader.read_answer(card, _read_json(args.answer))
        score = grader.grade(card, answer)
    except AnswerError as exc:
        raise UsageError(f"{args.answer}: {exc}") from None
    _print_json({"card": card.id, "kind": card.kind, **score.as_dict()})
    return 0


def cmd_study_export(args) -> int:
    out = Path(args.out)
    suffix = {"apkg": ".apkg", "pdf": ".pdf"}[args.format]
    if out.suffix.lower() != suffix:
        raise UsageError(f"--format {args.format} writes a {suffix} file, not {out.name!r}")
    if not out.parent.is_dir():
        raise UsageError(f"the folder {str(out.parent)!r} does not exist")
    if args.width < 200 or args.width > 3000:
        raise UsageError("--width must be between 200 and 3000 pixels")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.ui.study.images import Pictures

    atlas = load_atlas()
    muscles = find_muscles(args.muscle)[1] if args.muscle else list(atlas.muscles.values())
    sides = ("right", "left") if args.side == "both" else (args.side,)
    trps = [t for m in muscles for side in sides for t in m.trps(side)]
    app = QApplication.instance() or QApplication(["bodymap"])  # noqa: F841 - fonts need it
    pictures = Pictures(load_body(), width_px=args.width)
    if args.format == "apkg":
        from bodymap.core.study.deck import write_apkg

        write_apkg(atlas, trps, pictures.render, out)
    else:
        from bodymap.ui.study.flashcards import write_flashcards

        write_flashcards(atlas, pictures, trps, out)
    say(str(out))
    return 0


def _study_needs_a_verb(args) -> int:
    raise UsageError("`bodymap study` needs a command: cards, score or export")


def add_study_parser(sub) -> None:
    st = sub.add_parser(
        "study", help="study cards: list them, score an answer, export an Anki deck or flashcards"
    )
    verbs = st.add_subparsers(dest="study_command", parser_class=_Parser)
    st.set_defaults(func=_study_needs_a_verb)
    c = verbs.add_parser("cards", help="the study cards as JSON")
    c.add_argument("--kind", choices=("zone", "point", "reverse", "name"))
    c.add_argument("--muscle", action="append", help="only cards about this muscle (repeatable)")
    c.add_argument("--geometry", action="store_true", help="add what reverse and name cards show (GeoJSON)")
    c.set_defaults(func=cmd_study_cards)
    s = verbs.add_parser("score", help="score an answer to a card")
    s.add_argument("card", help="a card id from `bodymap study cards`")
    s.add_argument(
        "--answer",
        required=True,
        help="GeoJSON (body frame, properties.view): polygons for zone cards, a Point for point cards; "
        "a JSON list of muscle ids or names for reverse and name cards",
    )
    s.set_defaults(func=cmd_study_score)
    e = verbs.add_parser("export", help="write an Anki deck (.apkg) or printable flashcards (.pdf)")
    e.add_argument("--format", choices=("apkg", "pdf"), required=True)
    e.add_argument("--out", required=True, help="FILE.apkg or FILE.pdf (replaced atomically)")
    e.add_argument(
        "--muscle", action="append", help="only this muscle (repeatable; default: the whole atlas)"
    )
    e.add_argument("--side", choices=("both", "right", "left"), default="both", help="the patient's side(s)")
    e.add_argument("--width", type=int, default=560, help="picture width in pixels")
    e.set_defaults(func=cmd_study_export)


def build_parser() -> _Parser:
    parser = _Parser(prog="bodymap", description="Trigger-point body map. Without a command, opens the app.")
    parser.add_argument("--db", help=DB_HELP)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    g = sub.add_parser("geometry", help="GeoJSON of the body charts: outline, regions, landmarks")
    g.add_argument("--view", choices=VIEWS)
    g.set_defaults(func=cmd_geometry)
    a = sub.add_parser("atlas", help="GeoJSON of the atlas: muscles, trigger points, zones, hazards")
    a.add_argument("--muscle", action="append", help="a muscle by name, synonym or group (repeatable)")
    a.set_defaults(func=cmd_atlas)
    lk = sub.add_parser("lookup", help="rank the muscles whose trigger points may cause pain at a place")
    lk.add_argument("--landmark", help='a landmark by id, name or synonym ("mastoid process", "TMJ")')
    lk.add_argument(
        "--side",
        choices=("right", "left", "midline"),
        help="the patient's side (on a midline landmark, right or left means just to that side of it)",
    )
    lk.add_argument("--view", choices=VIEWS)
    lk.add_argument("--point", help="X,Y in the body frame of --view")
    lk.add_argument("--area", help="a GeoJSON file of drawn pain polygons, each with properties.view")
    lk.add_argument(
        "--condition", help='only muscles commonly involved in this condition (id, name or synonym: "TTH")'
    )
    lk.add_argument("--limit", type=int, default=20)
    lk.set_defaults(func=cmd_lookup)
    r = sub.add_parser("render", help="draw views of the chart to PNG, SVG or PDF")
    r.add_argument("--view", choices=VIEWS, action="append", help="a view to draw (repeatable; default all)")
    r.add_argument("--out", required=True, help="FILE.png, FILE.svg or FILE.pdf")
    r.add_argument("--width", type=int, default=2000, help="width in pixels (PNG, SVG)")
    r.add_argument("--landmarks", action="store_true", help="draw the landmarks")
    r.add_argument("--no-regions", action="store_true", help="hide the region borders")
    r.add_argument(
        "--muscle", action="append", help="overlay a muscle by name, synonym or group (repeatable)"
    )
    r.add_argument("--side", choices=("both", "right", "left"), default="both", help="the patient's side(s)")
    r.add_argument("--hazards", action="store_true", help="overlay the needling hazard zones")
    r.set_defaults(func=cmd_render)
    add_records_parsers(sub)
    h = sub.add_parser("handout", help="write a patient's aftercare sheet for a visit (PDF)")
    h.add_argument("--patient", required=True, help="the patient's id (bodymap patients) or uid")
    h.add_argument("--visit", type=int, required=True, help="visit N of the patient (1 = the first, by date)")
    h.add_argument("--out", required=True, help="FILE.pdf (replaced atomically)")
    h.add_argument("--contact", help="the clinic's contact line (default: the one in the settings)")
    h.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
    h.set_defaults(func=cmd_handout)
    add_study_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            from bodymap.ui.app import main as app_main

            return app_main([], db=args.db)
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
    except (UsageError, RecordsUsage) as exc:
        say(f"bodymap: error: {exc}", err=True)
        return 2
    except BrokenPipeError:  # e.g. `bodymap geometry | head`
        return 0
    except ValueError as exc:  # bad data or input found by the core: one line, no traceback
        say(f"bodymap: error: {exc}", err=True)
        return 1
    except OSError as exc:  # a full disk, a folder that refuses writing: one line
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"bodymap: error: {where}{exc.strerror or exc}", err=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug: one line; BODYMAP_DEBUG=1 shows the traceback
        if os.environ.get("BODYMAP_DEBUG"):
            raise
        say(f"bodymap: internal error: {type(exc).__name__}: {exc} (BODYMAP_DEBUG=1 for details)", err=True)
        return 1
