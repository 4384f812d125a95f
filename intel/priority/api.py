"""``/api/v1/people/<id>/priority-score/``: a person's candidate score under the weights in
force, each factor with the records behind it and where each record came from."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csu.models import User
from intel.models import PriorityScore
from intel.people import selectors as people
from intel.priority.candidates import person_priority_score
from intel.web import get_or_404


class ScoreRecordOutputSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(
        choices=["arrest", "incident", "case", "shooting", "supervision"]
    )
    id = serializers.IntegerField()
    agency = serializers.CharField(
        allow_null=True,
        help_text="The agency's short name (for a supervision term, the supervising agency); "
        "null for a record the reader may not open.",
    )
    source_id = serializers.CharField(
        allow_null=True, help_text="The agency's own number for the record."
    )
    at = serializers.CharField(
        allow_null=True, help_text="When it happened (ISO 8601), or the term's start date."
    )


class ScoreFactorOutputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    value = serializers.FloatField()
    weight = serializers.FloatField()
    contribution = serializers.FloatField(
        help_text="value × weight; 0 for shooting victimisation unless the office counts it."
    )
    records = ScoreRecordOutputSerializer(many=True)


class PriorityScoreOutputSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(
        source="person.pk", help_text="The person scored (the survivor, for a merged id)."
    )
    score = serializers.FloatField(help_text="The sum of the factors' contributions.")
    version = serializers.IntegerField(source="config.version")
    count_victimisation = serializers.BooleanField(source="config.count_victimisation")
    computed_at = serializers.DateTimeField(allow_null=True)
    factors = ScoreFactorOutputSerializer(many=True)


class PersonPriorityScoreApi(APIView):
    """A person's candidate score under the version of the weights in force: ``score`` is the
    sum of the factors' ``contribution`` (value × weight), in the order the pages show them,
    each with its records (type, id, the agency and the agency's number, when). A person with
    no stored score scores 0 on every factor. A merged person's id answers with the score of
    the person they were merged into. Not a basis for detention or arrest."""

    queryset = PriorityScore.objects.none()  # the role's view_priorityscore (the API's rule)

    @extend_schema(responses=PriorityScoreOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        actor = cast(User, request.user)
        person = get_or_404(people.person_get, actor=actor, pk=pk)
        if person.is_merged:
            person = get_or_404(people.person_survivor, actor=actor, person=person)
        score = get_or_404(person_priority_score, actor=actor, person=person)
        return Response(PriorityScoreOutputSerializer(score).data)
