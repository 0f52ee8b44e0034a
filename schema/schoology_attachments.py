"""A Schoology event's attachments (`with_attachments=1`): files, links, videos and embeds.

Schoology's "Retrieving Extras" page: an endpoint that takes `with_attachments=1` adds an
`attachments` object to each item, one key per kind, each wrapping its list in the singular
(`{"links": {"link": [{…}]}}`); kinds without attachments are left out. Attachment ids are
Schoology's own (`providerId`): attachments are parts of their event, not objects of their own.
"""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.upstream.values import digits, text


@strawberry.type(description="A file attached to a Schoology event.")
class SchoologyFileAttachment:
    provider_id: str | None = strawberry.field(description="Schoology's attachment id.")
    title: str | None = strawberry.field(description="Its title (may differ from the file name).")
    filename: str | None = strawberry.field(description="The file's name.")
    filesize: int | None = strawberry.field(description="Size in bytes.")
    extension: str | None = strawberry.field(description="The file name's extension.")
    download_path: str | None = strawberry.field(
        description="Schoology's API address of the file (needs the API's credentials to download)."
    )


@strawberry.type(description="A link (or a video on a site Schoology embeds) attached to a Schoology event.")
class SchoologyLinkAttachment:
    provider_id: str | None = strawberry.field(description="Schoology's attachment id.")
    title: str | None = strawberry.field(description="Its title.")
    url: str | None = strawberry.field(description="Where it points.")
    summary: str | None = strawberry.field(description="A teaser from the linked page, when asked for.")
    favicon: str | None = strawberry.field(description="The linked site's icon.")
    thumbnail: str | None = strawberry.field(description="A picture of the linked page, when asked for.")


@strawberry.type(description="An embed (HTML) attached to a Schoology event.")
class SchoologyEmbedAttachment:
    provider_id: str | None = strawberry.field(description="Schoology's attachment id.")
    embed_code: str | None = strawberry.field(description="The HTML embed code.")


@strawberry.type(description="What is attached to a Schoology event, by kind.")
class SchoologyAttachments:
    files: list[SchoologyFileAttachment] = strawberry.field(description="Attached files.")
    links: list[SchoologyLinkAttachment] = strawberry.field(description="Attached links.")
    videos: list[SchoologyLinkAttachment] = strawberry.field(
        description="Attached videos (links to sites such as YouTube, which Schoology shows inline)."
    )
    embeds: list[SchoologyEmbedAttachment] = strawberry.field(description="Attached embeds.")

    @classmethod
    def from_upstream(cls, value: Any) -> SchoologyAttachments | None:
        """The `attachments` object; None when the event was not read with attachments."""
        if not isinstance(value, dict):
            return None
        return cls(
            files=[_file(item) for item in _items(value, "files", "file")],
            links=[_link(item) for item in _items(value, "links", "link")],
            videos=[_link(item) for item in _items(value, "videos", "video")],
            embeds=[
                SchoologyEmbedAttachment(
                    provider_id=text(item.get("id")), embed_code=text(item.get("embed_code"))
                )
                for item in _items(value, "embeds", "embed")
            ],
        )


def _items(value: dict[str, Any], plural: str, singular: str) -> list[dict[str, Any]]:
    group = value.get(plural)
    items = group.get(singular) if isinstance(group, dict) else None
    if isinstance(items, dict):  # a one-item list can arrive unwrapped
        items = [items]
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _file(item: dict[str, Any]) -> SchoologyFileAttachment:
    return SchoologyFileAttachment(
        provider_id=text(item.get("id")),
        title=text(item.get("title")),
        filename=text(item.get("filename")),
        filesize=digits(item.get("filesize"), maximum=2**31 - 1),
        extension=text(item.get("extension")),
        download_path=text(item.get("download_path")),
    )


def _link(item: dict[str, Any]) -> SchoologyLinkAttachment:
    return SchoologyLinkAttachment(
        provider_id=text(item.get("id")),
        title=text(item.get("title")),
        url=text(item.get("url")),
        summary=text(item.get("summary")),
        favicon=text(item.get("favicon")),
        thumbnail=text(item.get("thumbnail")),
    )
