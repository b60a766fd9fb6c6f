"""The `sanction` field of an exceedance event in the API: its Decree 45/2022 classification
(`sanctioning.as_dict`), computed on read."""

from __future__ import annotations

from ninja import Field, Schema

from envhub.compliance import sanctioning


class BandOut(Schema):
    code: str
    label: str


class ClauseOut(Schema):
    article: str
    clause: str
    point: str
    text: str = Field(description="Point, clause and article as one reference.")


class FineOut(Schema):
    min: int | None
    max: int | None


class SanctionOut(Schema):
    band: BandOut | None = Field(description="The band of the peak multiple; null when the "
                                             "peak is not above the limit by a banded multiple.")
    applied_band: BandOut | None = Field(
        description="The band whose clause applies: the lowest band lifted to the next when "
                    "the exceedance is repeated or multiple.")
    flow: float | None = Field(description="The source's discharge flow in flow_unit; null "
                                           "when not recorded.")
    flow_unit: str = Field(description="m3/day (wastewater) or m3/h (flue gas).")
    flow_band: BandOut | None
    parameter_class: str | None = Field(description="ordinary, hazardous, or null when the "
                                                    "sanction data give the parameter none.")
    parameter_class_label: str
    aggravation: list[str] = Field(description="repeated and/or multiple.")
    penalty: str | None = Field(description="warning or fine; null without a clause.")
    penalty_label: str
    clause: ClauseOut | None
    fine_individual: FineOut | None = Field(description="VND; null unless entered.")
    fine_organisation: FineOut | None = Field(description="VND: the individual's times the "
                                                          "rule's multiplier.")
    additional: str = Field(description="Additional sanctions and remedies of the clause.")
    verified: bool = Field(description="false when any row used is not verified against the "
                                       "official text.")
    reasons: list[str] = Field(description="What is missing or applied, in words.")


def sanction_of(event) -> dict | None:
    return sanctioning.as_dict(sanctioning.classify_event(event))
