"""Eligibility checklists the programmes use, as starting data for a team.

They are data, not code: a team's own list lives in ``checklist_items`` and
the programme lead edits it in the console. These presets are taken from the
programmes' own documents (shared/seeds); a criterion about consent is marked
so the console links it to the case's consent record.
"""

from __future__ import annotations

from typing import NamedTuple

from utvag.store.models.case import ChecklistKind


class Criterion(NamedTuple):
    label: str
    kind: ChecklistKind | None = None


PRESETS: dict[str, tuple[Criterion, ...]] = {
    # Eskilstuna, Vägvalet: "följande fyra krav för att ingå i avhopparverksamhet".
    "vagvalet": (
        Criterion("Är motiverad"),
        Criterion("Har samtyckt till informationsutbyte", ChecklistKind.CONSENT),
        Criterion("Har skrivit under formuläret med förutsättningar"),
        Criterion("Är inte en bevisperson"),
    ),
    # Göteborg, Kunskapscentrum mot organiserad brottslighet: the guideline's
    # target group (over 18, gang affiliation documented by the police) and
    # the three things the work presupposes.
    "kunskapscentrum": (
        Criterion("Är över 18 år"),
        Criterion("Har en av polisen dokumenterad tillhörighet till ett kriminellt gäng"),
        Criterion("Är motiverad att lämna kriminalitet i stort, inte bara grupperingen"),
        Criterion(
            "Har lämnat samtycke (OSL 10:1) till att myndigheterna i nätverket delar information",
            ChecklistKind.CONSENT,
        ),
        Criterion(
            "Är inte misstänkt för allvarlig brottslighet som kan leda till längre frihetsberövande"
        ),
    ),
    # Malmö, Konsultationsteamet: who counts as a defector, and what is asked
    # of them.
    "konsultationsteamet": (
        Criterion("Lever i en kriminell kontext"),
        Criterion("Hotbild bekräftad"),
        Criterion("Motivation till förändring finns"),
        Criterion("Avhåller sig från kriminalitet och droger"),
        Criterion("Är tillgänglig för teamet och berörda myndigheter"),
    ),
}
DEFAULT_PRESET = "vagvalet"

# The programmes where social services investigate and decide (Eskilstuna:
# "Socialförvaltningen erbjuder även utredning av individens stödbehov samt
# beslut"; Göteborg: "beslutas formellt av socialtjänsten"): a team made from
# one of these accepts a case only after a decision recorded by a member
# holding the decider right, never on the lead's click alone.
DECIDED_BY_SOCIAL_SERVICES: frozenset[str] = frozenset({"vagvalet", "kunskapscentrum"})
