"""What the API modules of results and rectification (findings/api_results.py, rectification/api.py) share.

`serve`: the one shape of every write: the object through its access helper (a hidden one is a 404, before
anything else is read), the input through a serializer (a 400), the service the page calls (its refusal is a 400
listing its own messages), the answer.

Ids are plain ids. In a request body: an object named by one is fetched through its access helper (`given_id`
then the helper); a choice (a unit, a sheet) is looked up among the choices the page's form offers (`ChoiceId`),
and any other id, existing or not, gets the same 400. In a filter: rounds.api.IdFilter, the API's one plain-id
filter."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from rounds.api import MAX_ID, refused


def serve(request, service, answer, *, data=None, code=status.HTTP_200_OK, **target) -> Response:
    """One write. `target`: the objects the service works on, already fetched through their access helper by the
    caller (so a hidden object was a 404 before anything else was read). `data`: the input, a serializer class or
    a serializer already given the request's data (with a context, or partial); invalid input is a 400. Then the
    service, with the actor, the objects and the input; its refusal is a 400 listing its own messages.
    `answer(result)`: the body of the answer."""
    values = {}
    if data is not None:
        if isinstance(data, type):
            data = data(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
    try:
        result = service(actor=request.user, **target, **values)
    except DjangoValidationError as error:
        return refused(error)
    return Response(answer(result), status=code)


def body_value(request, name: str):
    """A value of the request body (None when absent, or when the body is not an object)."""
    return request.data.get(name) if isinstance(request.data, Mapping) else None


def given_id(request, name: str, *, required: bool = True) -> int | None:
    """A plain id in the request body, for an object whose access helper the caller then asks."""
    value = body_value(request, name)
    if value in (None, "") and not required:
        return None
    try:
        return serializers.IntegerField().run_validation(serializers.empty if value is None else value)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from None


def id_list(**kwargs) -> serializers.ListField:
    """A list of plain ids (checked against the database by the caller)."""
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class ChoiceId(serializers.PrimaryKeyRelatedField):
    """A plain id chosen among `context[choices]` (the choices the page's form offers); any other id, whether it
    exists or not, gets `message`."""

    def __init__(self, choices: str, message, **kwargs):
        self.choices_key = choices
        kwargs["error_messages"] = {"does_not_exist": message, "incorrect_type": message}
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.context[self.choices_key]


def checked_text(**kwargs):
    """A text input the service checks (required, length) with its own messages."""
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)
