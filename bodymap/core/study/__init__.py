"""Study mode: cards generated from the atlas, fair scoring of drawn, pointed and chosen answers, FSRS
spaced repetition, progress, and the Anki deck.

    deck = Deck.build(atlas, Lookup(atlas, body))       # every card: zone, point, reverse, name
    grader = Grader(deck)
    score = grader.grade(deck.card("zone:upper_trapezius:trp1:right"), PainArea({"back": shape}))
    with StudyStore.open() as store:                    # the student's own database (not the patients')
        study = Study(deck, store)
        card = study.next_card("quiz")

cards.py (the cards and what they accept), scoring.py (the rules), grading.py (a card's rule applied to
an answer), answers.py (answers and reading them from files), schedule.py (FSRS), store.py, schema.py
and database.py (the study database), session.py (Learn, Quiz, Exam), progress.py, deck.py (Anki).
"""

from bodymap.core.pain import PainArea

from .answers import AnswerError, Choice, PointAnswer
from .cards import KIND_NAMES, KINDS, Card, Choices, Deck, Kind, UnknownCard
from .database import StudyError
from .grading import Feedback, Grader
from .progress import Progress, progress
from .scoring import EXCELLENT, PASS, Score
from .session import ExamResults, ExamRun, Outcome, Study
from .store import StudyStore

__all__ = [
    "EXCELLENT",
    "KINDS",
    "KIND_NAMES",
    "PASS",
    "AnswerError",
    "Card",
    "Choice",
    "Choices",
    "Deck",
    "PainArea",
    "ExamResults",
    "ExamRun",
    "Feedback",
    "Grader",
    "Kind",
    "Outcome",
    "PointAnswer",
    "Progress",
    "Score",
    "Study",
    "StudyError",
    "StudyStore",
    "UnknownCard",
    "progress",
]
