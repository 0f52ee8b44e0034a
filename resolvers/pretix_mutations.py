"""pretix's mutations: create, clone, update (PATCH) and delete events."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.errors import BadUserInput, NotFound
from gateway.providers import pretix
from gateway.request.context import Info
from resolvers.mutations import Changes, EventId, NewEvent, payload
from resolvers.pretix_common import PRETIX
from schema.payloads import DeleteEventPayload, Payload
from schema.pretix import PretixEvent
from schema.pretix_inputs import (
    CreatePretixEventInput,
    UpdatePretixEventInput,
    check_organizer,
    create_body,
    update_body,
)
from schema.pretix_replace import ReplacePretixEventInput, replace_body


async def create_pretix_event(
    info: Info,
    organizer: Annotated[str, strawberry.argument(description="Slug of the organizer to create it in.")],
    input: NewEvent[CreatePretixEventInput],
    clone_from: Annotated[
        strawberry.ID | None,
        strawberry.argument(
            description="A pretix event (of any organizer the token can see) to copy settings, products, "
            "quotas and questions from (pretix's `?clone_from=`)."
        ),
    ] = None,
) -> Payload[PretixEvent]:
    """`POST /organizers/{o}/events/[?clone_from=<organizer>/<slug>]`."""
    context = info.context

    async def run() -> PretixEvent:
        check_organizer(organizer)
        source = None if clone_from is None else PRETIX.key_of(clone_from, "cloneFrom")
        try:
            data = await PRETIX.client(context).create_event(organizer, create_body(input), source)
        except BadUserInput as error:
            if source is not None and error.field is None and CLONE_MISSING in error.message:
                error.field = ("cloneFrom",)
            raise
        return await PRETIX.written(context, data, organizer)

    return await payload(run(), missing="organizer")


async def clone_pretix_event(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The event to copy from.")],
    input: Annotated[
        CreatePretixEventInput,
        strawberry.argument(description="The new event; its settings override the copied ones."),
    ],
) -> Payload[PretixEvent]:
    """`POST /organizers/{o}/events/{slug}/clone/`."""
    context = info.context

    async def run() -> PretixEvent:
        source = PRETIX.key_of(id)
        data = await PRETIX.client(context).clone_event(source, create_body(input))
        return await PRETIX.written(context, data, source[0])

    return await payload(run(), missing="id")


async def update_pretix_event(
    info: Info, id: EventId, input: Changes[UpdatePretixEventInput]
) -> Payload[PretixEvent]:
    """`PATCH /organizers/{o}/events/{slug}/` with only the given fields."""
    context = info.context

    async def run() -> PretixEvent:
        key = PRETIX.key_of(id)
        series: bool | None = None
        if input.has_subevents is not None:
            # Only a change is refused, so the current value is needed (often already loaded).
            current = await PRETIX.load(context, key)
            if current is None:
                raise NotFound(f"no pretix event has the id {id!r}", provider=pretix.NAME, field=["id"])
            series = bool(current.get("has_subevents"))
        data = await PRETIX.client(context).update_event(key, update_body(input, key[1], series))
        return await PRETIX.written(context, data, key[0])

    return await payload(run(), missing="id")


async def replace_pretix_event(
    info: Info,
    id: EventId,
    input: Annotated[ReplacePretixEventInput, strawberry.argument(description="Every field to set.")],
) -> Payload[PretixEvent]:
    """`PUT /organizers/{o}/events/{slug}/`."""
    return await PRETIX.update(
        info.context, id, lambda client, key: client.replace_event(key, replace_body(input, key[1]))
    )


async def delete_pretix_event(info: Info, id: EventId) -> DeleteEventPayload:
    """`DELETE /organizers/{o}/events/{slug}/`."""
    return await PRETIX.delete(info.context, id, lambda client, key: client.delete_event(key))


#: pretix's refusal of a `clone_from` it cannot find (`EventViewSet.perform_create`).
CLONE_MISSING = "Event to copy from was not found"


@strawberry.type
class Mutation:
    create_pretix_event: Payload[PretixEvent] = strawberry.mutation(
        resolver=create_pretix_event,
        description="Create a pretix event (POST). It starts offline (`live: false`) with pretix's default "
        "plugins. An organizer that does not exist or is not visible is a NOT_FOUND user error; a token "
        "that may not create events, FORBIDDEN.",
    )
    clone_pretix_event: Payload[PretixEvent] = strawberry.mutation(
        resolver=clone_pretix_event,
        description="Create a pretix event in the same organizer as `id`, copying its settings, products, "
        "quotas, questions and tax rules (POST …/clone/). The input's plugins, visibility, test mode, "
        "series flag, admission time, time zone and sales channels override the copied ones.",
    )
    update_pretix_event: Payload[PretixEvent] = strawberry.mutation(
        resolver=update_pretix_event,
        description="Change some fields of a pretix event (PATCH). pretix's refusals (e.g. going live "
        "without quotas) come back as BAD_USER_INPUT naming the field; a token that may read but not "
        "change the event, FORBIDDEN.",
    )
    replace_pretix_event: Payload[PretixEvent] = strawberry.mutation(
        resolver=replace_pretix_event,
        description="Set a pretix event's fields at once (PUT). `name` and `dateFrom` are required; pretix "
        "keeps the optional fields the input leaves out (its PUT checks the required ones, then updates like "
        "PATCH). Refusals come back as with `updatePretixEvent`.",
    )
    delete_pretix_event: DeleteEventPayload = strawberry.mutation(
        resolver=delete_pretix_event,
        description="Delete a pretix event. pretix refuses once the event has orders or invoices: that is "
        "a CONFLICT user error with pretix's explanation (take the shop offline with `live: false` instead).",
    )
