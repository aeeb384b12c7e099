"""Words the screens use for the domain's codes."""

from models.schema import PartnerKind, RatingsBy, TopicKind

PARTNER_KINDS = {
    PartnerKind.BEHAVIORAL_HEALTH: "Behavioral health",
    PartnerKind.PRIMARY_CARE: "Primary care",
    PartnerKind.OTHER: "Other (county, payer, hospital…)",
}

TOPIC_KINDS = {
    TopicKind.NUMERIC: "A number (with a unit and a range)",
    TopicKind.OPTIONS: "A choice between options",
    TopicKind.TEXT: "Free text",
}

RATINGS_BY = {
    RatingsBy.PARTICIPANT: "Each person rates",
    RatingsBy.PARTNER: "Each partner rates as one",
}

BLOCK_FROM = {
    8: "Only an 8 (block) stops consensus",
    7: "A 7 or an 8 stops consensus (usual)",
    6: "A 6, 7 or 8 stops consensus",
    5: "Any rating from 5 to 8 stops consensus",
}


def decision_rule_sentence(min_support: float, block_from: int) -> str:
    blocking = "8" if block_from == 8 else f"{block_from} to 8"
    return (f"Consensus when nobody rates {blocking} and at least {round(min_support * 100)} % "
            "of the ratings are 1 to 3.")
