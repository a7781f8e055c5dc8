"""The words and limits of the records: the choices a field takes (with the words people see) and the
ranges a value must lie in, with where they come from.
"""

from __future__ import annotations

from datetime import date, timedelta

SEXES = ("female", "male", "other", "unknown")  # as FHIR administrative gender, for exports

# The precaution screen: field -> the words shown to people. The items clinicians screen for before dry
# needling, from the guidelines in PRECAUTION_SOURCES.
PRECAUTIONS: dict[str, str] = {
    "bleeding_disorder": "bleeding disorder",
    "anticoagulant": "anticoagulant or antiplatelet medication",
    "pregnancy": "pregnancy",
    "needle_phobia": "needle phobia",
    "immunosuppression": "immunosuppression or infection risk",
    "lymphoedema": "lymphoedema",
    "implanted_device": "implanted device",
    "metal_allergy": "metal allergy",
    "recent_surgery": "recent surgery",
    "diabetes": "diabetes or impaired healing",
    "epilepsy": "epilepsy",
    "malignancy": "active malignancy",
    "vascular_disease": "vascular disease",
    "skin_lesion": "local skin infection or lesion",
    "cannot_consent": "unable to give informed consent",
}

# Screens recorded before these items were asked hold None for them: "not asked", never "no".
ADDED_PRECAUTIONS = (
    "diabetes",
    "epilepsy",
    "malignancy",
    "vascular_disease",
    "skin_lesion",
    "cannot_consent",
)

_ISCP = (
    "McEvoy J, et al. Guidelines for Dry Needling Practice. Irish Society of Chartered Physiotherapists, "
    "Dublin, 2012: contraindications and precautions"
)
_AHPCSA = (
    "Allied Health Professions Council of South Africa. Board Notice 121: Dry needling, section 3 "
    "(contra-indications), 2014"
)
_MCEVOY = (
    "McEvoy J. Trigger point dry needling: safety guidelines. In: Dommerholt J, Fernández-de-las-Peñas C, "
    "eds. Trigger Point Dry Needling. Churchill Livingstone, 2013, ch. 5"
)
# Where each item comes from (shown beside the question in the screen).
PRECAUTION_SOURCES: dict[str, str] = {
    "bleeding_disorder": f"{_AHPCSA} 3.2.1; {_MCEVOY}",
    "anticoagulant": f"{_AHPCSA} 3.1.5 and 3.2.1; {_MCEVOY}",
    "pregnancy": f"{_ISCP}; {_MCEVOY}",
    "needle_phobia": f"{_AHPCSA} 3.1.1; {_MCEVOY}",
    "immunosuppression": f"{_AHPCSA} 3.2.2; {_MCEVOY}",
    "lymphoedema": f"{_AHPCSA} 3.1.4 and 3.2.4; {_MCEVOY}",
    "implanted_device": f"{_ISCP}; {_MCEVOY}",
    "metal_allergy": f"{_ISCP}; {_MCEVOY}",
    "recent_surgery": f"{_ISCP}",
    "diabetes": f"{_AHPCSA} 3.2.5 (poor peripheral circulation, compromised tissue healing); {_MCEVOY}",
    "epilepsy": f"{_ISCP}; {_MCEVOY}",
    "malignancy": f"{_AHPCSA} 3.2.2; {_ISCP}",
    "vascular_disease": f"{_AHPCSA} 3.2.3 (bleeding, tissue trauma and infection); {_MCEVOY}",
    "skin_lesion": f"{_ISCP}: never needle through infected or broken skin; {_MCEVOY}",
    "cannot_consent": f"{_AHPCSA} 3.1.1 (absolute: unwilling or unable to consent); {_MCEVOY}",
}

# What happened after the last visit: field -> words.
AFTER_EFFECTS: dict[str, str] = {
    "soreness": "soreness",
    "bruising": "bruising",
    "bleeding": "bleeding",
    "fatigue": "fatigue",
    "infection": "infection",
    "pneumothorax": "suspected pneumothorax",
}

STATUSES = ("active", "latent")

SYMPTOMS: dict[str, str] = {
    "pain": "pain",
    "ache": "ache",
    "burning": "burning",
    "numbness": "numbness",
    "tingling": "tingling / pins and needles",
    "stiffness": "stiffness",
}

# How a treated point was needled: field value -> the words shown to people.
TECHNIQUES: dict[str, str] = {
    "static": "static (inserted and left in place)",
    "pistoning": "pistoning (fast in and out, with passes)",
    "other": "other",
}
# What the patient showed while a point was needled (none of them: nothing unusual).
RESPONSES: dict[str, str] = {
    "vasovagal": "vasovagal reaction (faint, pale, sweating)",
    "bleeding": "bleeding",
    "unusual_pain": "unusual pain",
    "nerve_pain": "shooting or electric pain",
}

EARLIEST_BIRTH = date(1900, 1, 1)
# Dry-needling needles are 0.12-0.35 mm thick and 7-150 mm long (acupuncture filiform needles); a value
# outside these is a typing slip.
NEEDLE_LENGTH_MM = (5.0, 150.0)
NEEDLE_GAUGE_MM = (0.10, 0.50)
MAX_DEPTH_MM = 150.0
MAX_PASSES = 100
MAX_TWITCHES = 100
MAX_MINUTES_IN = 60.0  # static needles stay in for minutes; an hour is beyond any protocol
MAX_PLANNED_VISITS = 52
NEXT_VISIT_WITHIN = timedelta(days=366)
MAX_SORENESS_HOURS = 720.0  # 30 days: post-needling soreness lasts 24-48 h; beyond a month it is not that
MAX_PPT_KPA = 2000.0  # a 20 kg algometer on a 1 cm² tip; no device reads higher
MAX_NAME = 200
MAX_TEXT = 20_000
