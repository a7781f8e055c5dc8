"""Warnings when a mark is needled over a hazard, deeper than the atlas's safe depth for its muscle, or
for a patient with a precaution.

Warnings, never blocks: the therapist decides, and the warning is there to be read at the moment of
needling. Pure functions of their inputs, so the chart, the command line and the tests agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bodymap.core.atlas.hazards import hazards_at

from .model import PRECAUTIONS, Consent, Mark, Screen, stored

if TYPE_CHECKING:
    from bodymap.core.atlas import Atlas

    from .store import Store


@dataclass(frozen=True)
class SafetyWarning:
    kind: str  # "hazard", "depth", "precaution", "screen" (none on record) or "consent" (none, or withdrawn)
    id: str  # the hazard id, the muscle id (depth), the precaution field ("other" for the free text), or
    # "missing" / "withdrawn"
    message: str  # one line for the status bar or a dialog
    advice: str = ""  # longer text (for hazards, the atlas's needling advice)


def needling_warnings(
    mark: Mark, screen: Screen | None, consent: Consent | None, atlas: Atlas | None = None
) -> list[SafetyWarning]:
    """What to warn about when `mark` is needled, given the patient's latest screen and consent.

    Nothing when the mark is not needled. A missing screen or consent is itself a warning: the
    precautions are unknown, or needling was not agreed.
    """
    if mark.treatment is None:
        return []
    if atlas is None:
        from bodymap.core.atlas import load_atlas

        atlas = load_atlas()
    out = []
    for h in hazards_at(atlas.hazards.values(), mark.view, mark.x, mark.y):
        out.append(
            SafetyWarning("hazard", h.id, f"Needled over a hazard: {h.name} (risk: {h.at_risk})", h.advice)
        )
    too_deep = depth_warning(mark, atlas)
    if too_deep is not None:
        out.append(too_deep)
    if screen is None:
        out.append(SafetyWarning("screen", "missing", "No precaution screen on record for this patient"))
    else:
        for key, words in PRECAUTIONS.items():
            if getattr(screen, key):
                out.append(
                    SafetyWarning(
                        "precaution", key, f"Precaution: {words} (screened {screen.screened_on.isoformat()})"
                    )
                )
        if screen.other.strip():
            out.append(
                SafetyWarning(
                    "precaution",
                    "other",
                    f"Precaution: {screen.other.strip()} (screened {screen.screened_on.isoformat()})",
                )
            )
    if consent is None:
        out.append(
            SafetyWarning("consent", "missing", "No consent to dry needling on record for this patient")
        )
    elif not consent.given:
        out.append(
            SafetyWarning(
                "consent",
                "withdrawn",
                f"Consent to dry needling was withdrawn on {consent.consented_on.isoformat()}",
            )
        )
    return out


def depth_warning(mark: Mark, atlas: Atlas) -> SafetyWarning | None:
    """A warning when the mark was needled deeper than the safe depth the atlas gives for its muscle
    (the one named on the treatment, else the nearest trigger point's); None when it was not, when the
    depth is not recorded, or when the atlas gives no safe depth for that muscle."""
    t = mark.treatment
    muscle = atlas.muscles.get(mark.muscle or "")
    if t is None or t.depth_mm is None or muscle is None or muscle.safe_depth is None:
        return None
    safe = muscle.safe_depth
    if t.depth_mm <= safe.mm:
        return None
    estimate = ", an estimate" if safe.estimate else ""
    return SafetyWarning(
        "depth",
        muscle.id,
        f"Depth {t.depth_mm:g} mm is beyond the safe depth of {safe.mm:g} mm for {muscle.name} "
        f"({safe.source.short}{estimate})",
        f"{safe.note} Source: {safe.source.citation} ({safe.source.where}).",
    )


def warnings_for_mark(store: Store, mark_id: int, atlas: Atlas | None = None) -> list[SafetyWarning]:
    """needling_warnings() for a stored mark, with its patient's latest screen and consent."""
    mark = store.mark(mark_id)
    patient_id = stored(store.visit(stored(mark.visit_id)).patient_id)
    return needling_warnings(
        mark, store.latest_screen(patient_id), store.latest_consent(patient_id), atlas or store.placer.atlas
    )
