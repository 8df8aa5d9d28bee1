"""Eligibility checklists the programmes use, as starting data for a team.

They are data, not code: a team's own list lives in ``checklist_items`` and
the programme lead edits it in the console. These presets are taken from the
programmes' own documents (shared/seeds).
"""

from __future__ import annotations

PRESETS: dict[str, tuple[str, ...]] = {
    # Eskilstuna, Vägvalet: "följande fyra krav för att ingå i avhopparverksamhet".
    "vagvalet": (
        "Är motiverad",
        "Har samtyckt till informationsutbyte",
        "Har skrivit under formuläret med förutsättningar",
        "Är inte en bevisperson",
    ),
    # Göteborg, Kunskapscentrum mot organiserad brottslighet: the guideline's
    # target group (over 18) and the three things the work presupposes.
    "kunskapscentrum": (
        "Är över 18 år",
        "Är motiverad att lämna kriminalitet i stort, inte bara grupperingen",
        "Har lämnat samtycke (OSL 10:1) till att myndigheterna i nätverket delar information",
        "Är inte misstänkt för allvarlig brottslighet som kan leda till längre frihetsberövande",
    ),
}
DEFAULT_PRESET = "vagvalet"
