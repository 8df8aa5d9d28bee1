"""Eligibility checklists and agreement clocks the programmes use, as
starting data for a team.

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
    # Linköping, avhopparverksamheten i den sociala insatsgruppen (SIG): the
    # policy's definition, "En person som väljer att lämna ett kriminellt gäng
    # eller organiserad brottslighet som bestraffar utträde och därmed har en
    # latent eller konkret hotbild"; the support is for "personer som vill
    # bryta med sitt kriminella liv"; and the "krav som ställs på individen
    # efter en samlad bedömning". The policy names no consent (nor does
    # Malmö's), so no criterion is marked as one; the lead may add it.
    "linkoping": (
        Criterion("Väljer att lämna ett kriminellt gäng eller organiserad brottslighet"),
        Criterion("Gänget eller nätverket bestraffar utträde: latent eller konkret hotbild"),
        Criterion("Vill bryta med sitt kriminella liv"),
        Criterion("Godtar de krav som ställs på individen efter en samlad bedömning"),
    ),
}
DEFAULT_PRESET = "vagvalet"

# The programmes where social services investigate and decide (Eskilstuna:
# "Socialförvaltningen erbjuder även utredning av individens stödbehov samt
# beslut"; Göteborg: "beslutas formellt av socialtjänsten"): a team made from
# one of these accepts a case only after a decision recorded by a member
# holding the decider right, never on the lead's click alone. Not Malmö, and
# not Linköping: its policy puts the operative work under the head of social
# services ("Socialchefen ansvarar för det operativa arbetet") but says
# nothing of who investigates or decides on a person, and the minute of its
# adoption (KS § 257, 2017) records three parties' note that "saknas en
# tydlighet i var beslutsfattandet ligger"; a team whose decisions social
# services do take ticks the rule under *Personal och nycklar*.
DECIDED_BY_SOCIAL_SERVICES: frozenset[str] = frozenset({"vagvalet", "kunskapscentrum"})


class Clocks(NamedTuple):
    """What a programme's agreement says about time and age, as a team's
    starting values (``Team.mapping_min_days`` and the rest)."""

    # The mapping (kartläggning) is due this many days after acceptance, at
    # the earliest and at the latest.
    mapping_min_days: int
    mapping_max_days: int
    # The police check the crime registers in every open case this often.
    register_check_days: int
    # Only people over 18 are taken (acceptance of someone who said they are
    # under 18 needs the lead's reason).
    adults_only: bool


CLOCKS: dict[str, Clocks] = {
    # Eskilstuna: social services make "en kartläggning" possible "under 2-4
    # veckor"; since the 2023 agreement people under 18 may come too. The
    # agreement names no register-check interval: a quarter.
    "vagvalet": Clocks(
        mapping_min_days=14, mapping_max_days=28, register_check_days=90, adults_only=False
    ),
    # Göteborg: the guideline's target group is "personer över 18 år". Its
    # documents give no mapping length or check interval: Eskilstuna's.
    "kunskapscentrum": Clocks(
        mapping_min_days=14, mapping_max_days=28, register_check_days=90, adults_only=True
    ),
    # Malmö: the team's police officer makes "regelbundna uppföljningar i
    # belastnings- och misstankeregister i samtliga pågående ärenden":
    # monthly.
    "konsultationsteamet": Clocks(
        mapping_min_days=14, mapping_max_days=28, register_check_days=30, adults_only=False
    ),
    # Linköping: the policy is silent on all four (follow-up happens "inom
    # ramen för sociala insatsgruppens (SIG:s) ordinarie arbete", its target
    # group is the police's national definition, no age named), so like
    # Göteborg it takes Eskilstuna's window and quarter, and like Eskilstuna
    # and Malmö no age limit. These are migration 0012's defaults, so a team
    # made before this preset existed needs no data migration.
    "linkoping": Clocks(
        mapping_min_days=14, mapping_max_days=28, register_check_days=90, adults_only=False
    ),
}
